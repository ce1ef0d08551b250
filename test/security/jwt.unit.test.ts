/** The forging helpers produce exactly the attacks they are named for. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, createVerify } from 'node:crypto';
import { algNone, corruptSignature, decodeJwt, escalatedClaims, resign, signHs256, signWithAttackerKey, tamper } from './jwt.ts';

const SECRET = 's'.repeat(64);
const genuine = signHs256({ typ: 'JWT' }, { sub: 'env-2', sid: 'sess-1', scope: 'read chat', iss: 'jarvis-api', aud: 'jarvis-api', exp: 2_000_000_000, jti: 'j1' }, SECRET);

function verifiesWith(token: string, secret: string): boolean {
  const [h, p, s] = token.split('.');
  return createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url') === s;
}

test('a token signed by signHs256 verifies with the same secret and carries alg HS256', () => {
  assert.ok(verifiesWith(genuine, SECRET));
  assert.equal(decodeJwt(genuine).header.alg, 'HS256');
});

test('tamper changes the claims but keeps the original signature, so it no longer verifies', () => {
  const t = tamper(genuine, { scope: 'read chat stream admin' });
  assert.equal(decodeJwt(t).payload.scope, 'read chat stream admin');
  assert.equal(t.split('.')[2], genuine.split('.')[2]);
  assert.equal(verifiesWith(t, SECRET), false);
});

test('algNone sets the requested spelling and leaves the signature empty', () => {
  for (const spelling of ['none', 'None', 'NONE']) {
    const t = algNone(genuine, spelling);
    assert.equal(decodeJwt(t).header.alg, spelling);
    assert.ok(t.endsWith('.'));
    assert.deepEqual(decodeJwt(t).payload, decodeJwt(genuine).payload);
  }
});

test('resign with another secret keeps the claims and does not verify with the real one', () => {
  const t = resign(genuine, 'wrong');
  assert.deepEqual(decodeJwt(t).payload, decodeJwt(genuine).payload);
  assert.equal(verifiesWith(t, SECRET), false);
  assert.ok(verifiesWith(t, 'wrong'));
});

test('corruptSignature changes only the last character', () => {
  const t = corruptSignature(genuine);
  assert.notEqual(t, genuine);
  assert.equal(t.slice(0, -1), genuine.slice(0, -1));
});

test('signWithAttackerKey produces a valid RS256 / ES256 signature under the embedded jwk', () => {
  for (const alg of ['RS256', 'ES256'] as const) {
    const t = signWithAttackerKey(genuine, alg);
    const { header } = decodeJwt(t);
    assert.equal(header.alg, alg);
    const key = createPublicKey({ key: header.jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    const [h, p, s] = t.split('.');
    const ok = createVerify('sha256').update(`${h}.${p}`).verify(alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(s!, 'base64url'));
    assert.ok(ok, `${alg} signature must verify with its own jwk`);
  }
});

test('escalatedClaims grants admin under the claim names the token uses', () => {
  assert.deepEqual(escalatedClaims({ scope: 'read' }), { scope: 'read chat stream admin' });
  assert.deepEqual(escalatedClaims({ scope: ['read'], permissions: ['read'] }), { scope: ['read', 'chat', 'stream', 'admin'], permissions: ['read', 'chat', 'stream', 'admin'] });
});

test('decodeJwt refuses what is not a compact JWS', () => {
  for (const bad of ['a.b', 'not-a-jwt', 'a.b.c.d', `${Buffer.from('[1]').toString('base64url')}.e30.x`]) assert.throws(() => decodeJwt(bad), TypeError);
});
