/**
 * Issuing and verifying the API's own JWTs with jose. Only HS256 is accepted; the key object
 * is imported once (jose re-imports raw bytes on every call, doubling the cost). The signature
 * is verified before any claim is read; iss, aud, exp and nbf are checked by jose.
 */
import { createSecretKey, hash, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Permission } from '../../events/define.ts';
import type { Secret } from '../shared/secret.ts';

export interface TokenClaims {
  readonly sub: string;
  readonly sid: string;
  readonly jti: string;
  readonly scope: readonly Permission[];
  readonly iat: number;
  readonly exp: number;
}

export type TokenFailure = 'invalid_token' | 'expired_token' | 'token_not_yet_valid';

export interface JwtService {
  issue(claims: { sub: string; sid: string; jti: string; scope: readonly Permission[] }, nowMs: number): Promise<{ token: string; expiresIn: number }>;
  verify(token: string, nowMs: number): Promise<{ ok: true; claims: TokenClaims } | { ok: false; reason: TokenFailure }>;
}

const SCOPES = new Set<string>(['read', 'chat', 'stream', 'admin']);

/** Tokens remembered as verified (see verify); the oldest is forgotten past this many. */
const VERIFIED_MAX = 10_000;

/** `secret` is used as its UTF-8 bytes, as the contract says. */
export function createJwtService(opts: { secret: Secret; issuer: string; audience: string; ttlMs: number }): JwtService {
  const key: KeyObject = createSecretKey(Buffer.from(opts.secret.reveal(), 'utf8'));
  const ttlSeconds = Math.floor(opts.ttlMs / 1000);
  /**
   * A client sends one token for its whole life, and jose's verification (WebCrypto HMAC, claims)
   * costs tens of µs a request. A token that passed it once is remembered by its SHA-256 (never the
   * token itself) with its claims; a hit only re-checks the expiry. Signature, issuer, audience and
   * not-before cannot change for the same bytes; revocation is the session check, made every time.
   */
  const verified = new Map<string, TokenClaims>();
  return {
    async issue(claims, nowMs) {
      const iat = Math.floor(nowMs / 1000);
      const token = await new SignJWT({ sid: claims.sid, scope: claims.scope.join(' ') })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.sub)
        .setJti(claims.jti)
        .setIssuer(opts.issuer)
        .setAudience(opts.audience)
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(key);
      return { token, expiresIn: ttlSeconds };
    },
    async verify(token, nowMs) {
      // One token, one spelling: base64url has spare bits in its last character, so a signature
      // re-spelled in them decodes to the same bytes. Such a token was not issued by us as sent.
      const signature = token.slice(token.lastIndexOf('.') + 1);
      if (Buffer.from(signature, 'base64url').toString('base64url') !== signature) return { ok: false, reason: 'invalid_token' };
      const digest = hash('sha256', token, 'base64');
      const known = verified.get(digest);
      if (known) {
        // jose's rule: expired once exp <= now, in whole seconds.
        if (known.exp > Math.floor(nowMs / 1000)) return { ok: true, claims: known };
        verified.delete(digest);
        return { ok: false, reason: 'expired_token' };
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: opts.issuer,
          audience: opts.audience,
          currentDate: new Date(nowMs),
          requiredClaims: ['sub', 'jti', 'exp', 'iat', 'nbf'],
          typ: 'JWT',
        });
        const scope = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
        if (typeof payload.sid !== 'string' || scope.some((s) => !SCOPES.has(s))) return { ok: false, reason: 'invalid_token' };
        const claims: TokenClaims = Object.freeze({ sub: payload.sub!, sid: payload.sid, jti: payload.jti!, scope: Object.freeze(scope as Permission[]), iat: payload.iat!, exp: payload.exp! });
        if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
        verified.set(digest, claims);
        return { ok: true, claims };
      } catch (err) {
        if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired_token' };
        if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf') return { ok: false, reason: 'token_not_yet_valid' };
        return { ok: false, reason: 'invalid_token' };
      }
    },
  };
}
