/** JWT verification refuses every forged, tampered or stale token, with a stable reason. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { createJwtService } from '../../src/auth/jwt.ts';
import { Secret } from '../../src/shared/secret.ts';

const SECRET = 's'.repeat(64);
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const jwt = createJwtService({ secret: new Secret(SECRET), issuer: 'jarvis-api', audience: 'jarvis-api', ttlMs: 15 * 60_000 });

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
function sign(header: object, payload: object, secret = SECRET): string {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}
const iat = Math.floor(NOW / 1000);
const good = { sub: 'env-1', sid: 'ses_1', jti: 'j1', scope: 'read chat', iss: 'jarvis-api', aud: 'jarvis-api', iat, nbf: iat, exp: iat + 900 };

describe('JWT verification', () => {
  it('accepts a token it issued and reads its claims', async () => {
    const { token, expiresIn } = await jwt.issue({ sub: 'env-1', sid: 'ses_1', jti: 'j1', scope: ['read', 'chat'] }, NOW);
    assert.equal(expiresIn, 900);
    const v = await jwt.verify(token, NOW + 1000);
    assert.ok(v.ok);
    assert.deepEqual(v.claims.scope, ['read', 'chat']);
    assert.equal(v.claims.sid, 'ses_1');
  });

  const cases: [string, string, string][] = [
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(good)}.`, 'invalid_token'],
    ['a wrong secret', sign({ alg: 'HS256', typ: 'JWT' }, good, 'x'.repeat(64)), 'invalid_token'],
    ['HS512 instead of HS256', (() => { const body = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(good)}`; return `${body}.${createHmac('sha512', SECRET).update(body).digest('base64url')}`; })(), 'invalid_token'],
    ['an RS256 header over an HMAC signature', sign({ alg: 'RS256', typ: 'JWT' }, good), 'invalid_token'],
    ['a tampered payload', (() => { const t = sign({ alg: 'HS256', typ: 'JWT' }, good).split('.'); return `${t[0]}.${b64({ ...good, scope: 'read chat stream admin' })}.${t[2]}`; })(), 'invalid_token'],
    ['another issuer', sign({ alg: 'HS256', typ: 'JWT' }, { ...good, iss: 'someone-else' }), 'invalid_token'],
    ['another audience', sign({ alg: 'HS256', typ: 'JWT' }, { ...good, aud: 'other' }), 'invalid_token'],
    ['an expired token', sign({ alg: 'HS256', typ: 'JWT' }, { ...good, exp: iat - 1 }), 'expired_token'],
    ['a token not valid yet', sign({ alg: 'HS256', typ: 'JWT' }, { ...good, nbf: iat + 600 }), 'token_not_yet_valid'],
    ['a token without a session id', sign({ alg: 'HS256', typ: 'JWT' }, { ...good, sid: undefined }), 'invalid_token'],
    ['a token with an unknown scope', sign({ alg: 'HS256', typ: 'JWT' }, { ...good, scope: 'read root' }), 'invalid_token'],
    ['a token without exp', sign({ alg: 'HS256', typ: 'JWT' }, { ...good, exp: undefined }), 'invalid_token'],
    ['garbage', 'eyJhbGciOiJIUzI1NiJ9.not-json.sig', 'invalid_token'],
  ];
  for (const [name, token, reason] of cases) {
    it(`refuses ${name} as ${reason}`, async () => {
      const v = await jwt.verify(token, NOW);
      assert.equal(v.ok, false);
      assert.equal(!v.ok && v.reason, reason);
    });
  }

  it('refuses a signature re-spelled in the spare bits of its last base64url character', async () => {
    const { token } = await jwt.issue({ sub: 'env-1', sid: 'ses_1', jti: 'j1', scope: ['read'] }, NOW);
    const last = token.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const i = alphabet.indexOf(last);
    const twin = alphabet[i ^ 1]!; // differs only in a bit the decoder drops for a 32-byte HMAC
    assert.equal(Buffer.from(token.slice(token.lastIndexOf('.') + 1, -1) + twin, 'base64url').equals(Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url')), true);
    const v = await jwt.verify(token.slice(0, -1) + twin, NOW);
    assert.equal(!v.ok && v.reason, 'invalid_token');
  });

  it('checks the signature before any claim: an expired token with a bad signature is invalid, not expired', async () => {
    const v = await jwt.verify(sign({ alg: 'HS256', typ: 'JWT' }, { ...good, exp: iat - 1 }, 'y'.repeat(64)), NOW);
    assert.equal(!v.ok && v.reason, 'invalid_token');
  });

  it('a token verified once still expires on time, and its tampered twins are still refused', async () => {
    const { token } = await jwt.issue({ sub: 'env-1', sid: 'ses_2', jti: 'j2', scope: ['read'] }, NOW);
    assert.ok((await jwt.verify(token, NOW)).ok); // now remembered as verified
    assert.ok((await jwt.verify(token, NOW + 899_000)).ok);
    const late = await jwt.verify(token, NOW + 900_000);
    assert.equal(!late.ok && late.reason, 'expired_token', 'expired at exp, as jose says');
    const parts = token.split('.');
    const escalated = `${parts[0]}.${b64({ ...JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()), scope: 'read admin' })}.${parts[2]}`;
    const v = await jwt.verify(escalated, NOW);
    assert.equal(!v.ok && v.reason, 'invalid_token');
  });
});
