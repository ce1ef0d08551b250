/**
 * The authentication verdict: from the Authorization header to a principal or a reason.
 * Pure apart from the injected directories and the JWT service; no event is published here —
 * the middleware publishes the verdict it gets back.
 */
import type { Permission } from '../../events/define.ts';
import type { StaticKey } from '../config/config.ts';
import type { KeyDirectory, SessionDirectory } from './directory.ts';
import type { JwtService } from './jwt.ts';
import { digestsEqual, parseManagedKey, sha256Hex } from './keys.ts';

export interface Principal {
  /** Key id: the principal's name everywhere (events, audit, rate limits). */
  readonly id: string;
  readonly permissions: ReadonlySet<Permission>;
  readonly method: 'api_key' | 'jwt';
  readonly sessionId: string | null;
}

export type AuthFailure =
  | 'missing_credential'
  | 'malformed_credential'
  | 'unknown_key'
  | 'revoked_key'
  | 'expired_key'
  | 'invalid_token'
  | 'expired_token'
  | 'token_not_yet_valid'
  | 'session_revoked'
  | 'session_expired';

export type AuthVerdict = { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly reason: AuthFailure };

export interface Authenticator {
  authenticate(authorization: string | undefined, nowMs: number): Promise<AuthVerdict> | AuthVerdict;
}

const MAX_TOKEN = 4096;
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

export function createAuthenticator(deps: {
  staticKeys: readonly StaticKey[];
  keys: KeyDirectory;
  sessions: SessionDirectory;
  jwt: JwtService;
}): Authenticator {
  const byDigest = new Map<string, { digest: string; principal: Principal }>();
  for (const k of deps.staticKeys) {
    const digest = sha256Hex(k.secret.reveal());
    byDigest.set(digest, { digest, principal: { id: k.id, permissions: new Set(k.permissions), method: 'api_key', sessionId: null } });
  }
  const managedCache = new Map<string, Principal>();

  function fromApiKey(token: string, nowMs: number): AuthVerdict {
    const managed = parseManagedKey(token);
    if (managed) {
      const rec = deps.keys.get(managed.id);
      if (!rec || !digestsEqual(sha256Hex(managed.secret), rec.secretSha256)) return { ok: false, reason: 'unknown_key' };
      if (rec.revoked) return { ok: false, reason: 'revoked_key' };
      if (rec.expiresAt !== null && nowMs >= rec.expiresAt) return { ok: false, reason: 'expired_key' };
      let principal = managedCache.get(rec.id);
      if (!principal || principal.permissions.size !== rec.permissions.length) {
        principal = { id: rec.id, permissions: new Set(rec.permissions), method: 'api_key', sessionId: null };
        managedCache.set(rec.id, principal);
      }
      return { ok: true, principal };
    }
    const digest = sha256Hex(token);
    const hit = byDigest.get(digest);
    if (!hit || !digestsEqual(digest, hit.digest)) return { ok: false, reason: 'unknown_key' };
    return { ok: true, principal: hit.principal };
  }

  /** The key behind a JWT must still be usable: revoking a key ends its tokens too. */
  function keyStillValid(keyId: string, nowMs: number): AuthFailure | null {
    if (deps.staticKeys.some((k) => k.id === keyId)) return null;
    const rec = deps.keys.get(keyId);
    if (!rec) return 'unknown_key';
    if (rec.revoked) return 'revoked_key';
    if (rec.expiresAt !== null && nowMs >= rec.expiresAt) return 'expired_key';
    return null;
  }

  async function fromJwt(token: string, nowMs: number): Promise<AuthVerdict> {
    const v = await deps.jwt.verify(token, nowMs);
    if (!v.ok) return { ok: false, reason: v.reason };
    const session = deps.sessions.state(v.claims.sid, nowMs);
    if (session === 'revoked') return { ok: false, reason: 'session_revoked' };
    if (session === 'expired') return { ok: false, reason: 'session_expired' };
    // 'unknown' is accepted: the signature proves we issued it, and another instance may
    // not have projected the SessionStarted event yet. Revocation is what must propagate.
    const keyProblem = keyStillValid(v.claims.sub, nowMs);
    if (keyProblem) return { ok: false, reason: keyProblem };
    return { ok: true, principal: { id: v.claims.sub, permissions: new Set(v.claims.scope), method: 'jwt', sessionId: v.claims.sid } };
  }

  return {
    authenticate(authorization, nowMs) {
      if (authorization === undefined || authorization === '') return { ok: false, reason: 'missing_credential' };
      const space = authorization.indexOf(' ');
      if (space < 0 || authorization.slice(0, space).toLowerCase() !== 'bearer') return { ok: false, reason: 'malformed_credential' };
      const token = authorization.slice(space + 1);
      if (token.length === 0 || token.length > MAX_TOKEN || !TOKEN_CHARS.test(token)) return { ok: false, reason: 'malformed_credential' };
      return JWT_SHAPE.test(token) ? fromJwt(token, nowMs) : fromApiKey(token, nowMs);
    },
  };
}
