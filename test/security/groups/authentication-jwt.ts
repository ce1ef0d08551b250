/**
 * JWT attacks on a real token from POST /auth/token: alg none, a wrong secret, an attacker's own
 * RSA/EC key, a corrupted signature, claims tampered without re-signing. With the target's secret
 * (JARVIS_TEST_JWT_SECRET) also properly signed bad claims: expired, not yet valid, wrong iss/aud,
 * no exp. (A properly signed token naming an unknown session is not
 * attacked: a signature proves issuance and instances may lag behind each other's sessions.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { check, skip, type Check, type Ctx } from '../harness.ts';
import { expectStatus, expectUnauthorized, show } from '../expect.ts';
import { algNone, corruptSignature, decodeJwt, escalatedClaims, resign, signHs256, signWithAttackerKey, tamper, type Claims } from '../jwt.ts';
import { sharedToken } from './tokens.ts';

const now = (): number => Math.floor(Date.now() / 1000);

type Forge = { name: string; path?: string; forge: (token: string, payload: Claims) => string };

const forgeries: Forge[] = [
  { name: 'a JWT with alg "none" and no signature', forge: (t) => algNone(t, 'none') },
  { name: 'a JWT with alg "None"', forge: (t) => algNone(t, 'None') },
  { name: 'a JWT with alg "NONE" keeping its signature', forge: (t) => `${algNone(t, 'NONE')}${t.split('.')[2]}` },
  { name: 'a JWT re-signed with HS256 and a wrong secret', forge: (t) => resign(t, randomBytes(48).toString('base64')) },
  { name: 'a JWT re-signed with an empty secret', forge: (t) => resign(t, '') },
  { name: 'a JWT signed RS256 with an attacker key embedded as jwk', forge: (t) => signWithAttackerKey(t, 'RS256') },
  { name: 'a JWT signed ES256 with an attacker key embedded as jwk', forge: (t) => signWithAttackerKey(t, 'ES256') },
  { name: 'a JWT whose header says HS512 over the HS256 signature', forge: (t) => tamper(t, {}, { alg: 'HS512' }) },
  { name: 'a JWT whose header says RS256 over the HS256 signature', forge: (t) => tamper(t, {}, { alg: 'RS256' }) },
  { name: 'a JWT with a corrupted signature', forge: (t) => corruptSignature(t) },
  { name: 'a JWT with its exp moved into the past without re-signing', forge: (t) => tamper(t, { exp: now() - 3600 }) },
  { name: 'a JWT with its exp pushed a year ahead without re-signing', forge: (t) => tamper(t, { exp: now() + 365 * 86400 }) },
  { name: 'a JWT with scope escalated to admin without re-signing (on GET /admin/keys)', path: '/admin/keys', forge: (t, p) => tamper(t, escalatedClaims(p)) },
  { name: 'a JWT with a different iss without re-signing', forge: (t) => tamper(t, { iss: 'https://attacker.example' }) },
  { name: 'a JWT with a different aud without re-signing', forge: (t) => tamper(t, { aud: 'some-other-api' }) },
  { name: 'a JWT with a different sub without re-signing', forge: (t) => tamper(t, { sub: 'admin' }) },
  { name: 'a JWT with a kid header pointing at a file', forge: (t) => tamper(t, {}, { kid: '../../../../dev/null' }) },
  { name: 'a three-part token that is not a JWT', forge: () => 'aaaa.bbbb.cccc' },
];

const baseline = check('a JWT minted by POST /auth/token is accepted on GET /status', async (ctx) => {
  const t = await sharedToken(ctx);
  const res = await ctx.client.request({ path: '/status', token: t.access_token });
  expectStatus(res, 200);
});

const issued = check('an issued JWT carries iss, aud, exp, jti, a short lifetime and no key material', async (ctx) => {
  const t = await sharedToken(ctx);
  const { header, payload } = decodeJwt(t.access_token);
  assert.equal(header.alg, 'HS256', `the default algorithm is HS256, got ${String(header.alg)}`);
  for (const claim of ['iss', 'aud', 'exp', 'jti']) assert.ok(claim in payload, `the token must carry "${claim}": ${JSON.stringify(payload)}`);
  const exp = Number(payload.exp);
  assert.ok(exp > now() && exp <= now() + 86400 + 60, `exp must be in the future and at most 24 h away, got ${exp}`);
  assert.ok(t.expires_in > 0 && t.expires_in <= 86400, `expires_in must be within (0, 86400], got ${t.expires_in}`);
  const raw = JSON.stringify({ header, payload });
  for (const k of Object.values(ctx.options.keys)) if (k) assert.ok(!raw.includes(k), 'the token must not carry an API key');
});

const forgedChecks: Check[] = forgeries.map((f) =>
  check(`${f.name} is refused with 401`, async (ctx) => {
    const t = await sharedToken(ctx);
    const forged = f.forge(t.access_token, decodeJwt(t.access_token).payload);
    expectUnauthorized(await ctx.client.request({ path: f.path ?? '/status', token: forged }));
  }),
);

/** The target's secret, verified by a re-signed copy of a real token being accepted. */
async function knownSecret(ctx: Ctx): Promise<string> {
  const secret = ctx.options.jwtSecret;
  if (!secret) skip('needs JARVIS_TEST_JWT_SECRET (the target\'s JARVIS_JWT_SECRET) to sign bad claims properly');
  const ok = await ctx.memo('secret-verified', async () => {
    const t = await sharedToken(ctx);
    const res = await ctx.client.request({ path: '/status', token: resign(t.access_token, secret) });
    return res.status === 200;
  });
  if (!ok) skip('JARVIS_TEST_JWT_SECRET does not match the target: a re-signed genuine token was refused');
  return secret;
}

type Signed = { name: string; patch: () => Claims; drop?: string };

const signedAttacks: Signed[] = [
  { name: 'a properly signed JWT that expired a minute ago', patch: () => ({ exp: now() - 60, iat: now() - 960 }) },
  { name: 'a properly signed JWT that is not valid before an hour from now', patch: () => ({ nbf: now() + 3600 }) },
  { name: 'a properly signed JWT from another issuer', patch: () => ({ iss: 'https://attacker.example' }) },
  { name: 'a properly signed JWT for another audience', patch: () => ({ aud: 'some-other-api' }) },
  { name: 'a properly signed JWT without exp', patch: () => ({}), drop: 'exp' },
];

const signedChecks: Check[] = signedAttacks.map((s) =>
  check(`${s.name} is refused with 401`, async (ctx) => {
    const secret = await knownSecret(ctx);
    const t = await sharedToken(ctx);
    const { header, payload } = decodeJwt(t.access_token);
    const claims: Claims = { ...payload, ...s.patch() };
    if (s.drop) delete claims[s.drop];
    const res = await ctx.client.request({ path: '/status', token: signHs256(header, claims, secret) });
    assert.notEqual(res.status, 200, `must not be accepted: ${show(res)}`);
    expectUnauthorized(res);
  }),
);

export const jwtChecks: Check[] = [baseline, issued, ...forgedChecks, ...signedChecks];
