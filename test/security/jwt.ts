/**
 * JWT forging helpers for the authentication group: decode a real token, tamper with its claims
 * without re-signing, strip the algorithm to `none`, sign with a wrong secret or with an
 * attacker's own RSA/EC key (embedded in the header as `jwk`). node:crypto only: the suite must
 * not share a JWT library with the implementation it attacks.
 */
import { createHmac, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

export type Claims = Record<string, unknown>;

export interface DecodedJwt {
  readonly header: Claims;
  readonly payload: Claims;
  readonly signature: string;
}

/** base64url without padding. */
export function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** Splits and decodes a compact JWS; throws TypeError if it is not one. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TypeError('not a compact JWS (expected three parts)');
  const part = (s: string): Claims => {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TypeError('JWS part is not a JSON object');
    return v as Claims;
  };
  return { header: part(parts[0]!), payload: part(parts[1]!), signature: parts[2]! };
}

/** `base64url(header).base64url(payload)` — the signing input. */
export function signingInput(header: Claims, payload: Claims): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
}

/** Replaces claims but keeps the original signature: a tampered token. */
export function tamper(token: string, patch: Claims, headerPatch: Claims = {}): string {
  const { header, payload, signature } = decodeJwt(token);
  return `${signingInput({ ...header, ...headerPatch }, { ...payload, ...patch })}.${signature}`;
}

/** The same claims with `alg` set to a "none" spelling and an empty signature. */
export function algNone(token: string, spelling = 'none'): string {
  const { header, payload } = decodeJwt(token);
  return `${signingInput({ ...header, alg: spelling }, payload)}.`;
}

/** HS256 over the given header and payload with `secret` (UTF-8 bytes). */
export function signHs256(header: Claims, payload: Claims, secret: string): string {
  const input = signingInput({ ...header, alg: 'HS256' }, payload);
  return `${input}.${createHmac('sha256', Buffer.from(secret, 'utf8')).update(input).digest('base64url')}`;
}

/** The token's claims (optionally patched) re-signed with `secret`. */
export function resign(token: string, secret: string, patch: Claims = {}): string {
  const { header, payload } = decodeJwt(token);
  return signHs256(header, { ...payload, ...patch }, secret);
}

/** The token with the last signature character changed (a one-bit-ish corruption). */
export function corruptSignature(token: string): string {
  const last = token.at(-1);
  return token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}

let attackerKeys: { rsa: { privateKey: KeyObject; publicKey: KeyObject }; ec: { privateKey: KeyObject; publicKey: KeyObject } } | undefined;

/** The attacker's own keys, generated once per run. */
function keys(): NonNullable<typeof attackerKeys> {
  attackerKeys ??= {
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ec: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  };
  return attackerKeys;
}

/**
 * The token's claims signed with an attacker-held RS256 or ES256 key whose public half rides in
 * the header (`jwk`), the classic algorithm-confusion and embedded-key attacks.
 */
export function signWithAttackerKey(token: string, alg: 'RS256' | 'ES256', patch: Claims = {}): string {
  const { header, payload } = decodeJwt(token);
  const k = alg === 'RS256' ? keys().rsa : keys().ec;
  const jwk = k.publicKey.export({ format: 'jwk' });
  const input = signingInput({ ...header, alg, jwk }, { ...payload, ...patch });
  const sig = createSign('sha256').update(input).sign(alg === 'ES256' ? { key: k.privateKey, dsaEncoding: 'ieee-p1363' } : k.privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

/** Claim patches that grant `admin` under every name a permission claim commonly has. */
export function escalatedClaims(payload: Claims): Claims {
  const all = ['read', 'chat', 'stream', 'admin'];
  const patch: Claims = {};
  if (typeof payload.scope === 'string' || payload.scope === undefined) patch.scope = all.join(' ');
  if (Array.isArray(payload.scope)) patch.scope = all;
  if ('scp' in payload) patch.scp = Array.isArray(payload.scp) ? all : all.join(' ');
  if ('permissions' in payload) patch.permissions = all;
  if ('perms' in payload) patch.perms = all;
  if ('roles' in payload) patch.roles = ['admin'];
  if ('admin' in payload) patch.admin = true;
  return patch;
}
