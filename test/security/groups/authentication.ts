/**
 * authentication: no credential, unusable credentials and near-miss keys are all 401 with
 * `WWW-Authenticate: Bearer`; the JWT attacks live in authentication-jwt.ts.
 */
import assert from 'node:assert/strict';
import { check, type Check, type Ctx, type Group } from '../harness.ts';
import { expectUnauthorized, show } from '../expect.ts';
import { hostHeader } from '../raw.ts';
import { call, protectedEndpoints, skipIfAbsent, undoIfCreated } from './endpoints.ts';
import { jwtChecks } from './authentication-jwt.ts';
import { tokenExchangeChecks } from './authentication-exchange.ts';

const withoutCredential: Check[] = protectedEndpoints().map((e) =>
  check(`${e.method} ${e.path.replace(/suite[0-9a-f]+/, '{id}')} without a credential is 401 with WWW-Authenticate: Bearer`, async (ctx) => {
    const res = await call(ctx, e, undefined);
    undoIfCreated(ctx, e, res);
    skipIfAbsent(e, res);
    expectUnauthorized(res);
  }),
);

/** An Authorization header value built from a real key (or none). */
type BadCredential = { name: string; header: (ctx: Ctx) => string };

const swapCase = (s: string): string => [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');

const badCredentials: BadCredential[] = [
  { name: 'a garbage token', header: () => 'Bearer garbage' },
  { name: 'a random token shaped like a key', header: () => `Bearer jrv_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}` },
  { name: 'an empty Bearer credential', header: () => 'Bearer ' },
  { name: 'the word Bearer alone', header: () => 'Bearer' },
  { name: 'a valid key under the Basic scheme', header: (ctx) => `Basic ${Buffer.from(`${ctx.anyKey()}:`).toString('base64')}` },
  { name: 'a valid key sent raw under the Basic scheme', header: (ctx) => `Basic ${ctx.anyKey()}` },
  { name: 'a valid key without any scheme', header: (ctx) => ctx.anyKey() },
  { name: 'a 4096-character token', header: () => `Bearer ${'A'.repeat(4096)}` },
  { name: 'a valid key with one character appended', header: (ctx) => `Bearer ${ctx.anyKey()}x` },
  { name: 'a valid key without its last character', header: (ctx) => `Bearer ${ctx.anyKey().slice(0, -1)}` },
  { name: 'a valid key with its letter case swapped', header: (ctx) => `Bearer ${swapCase(ctx.anyKey())}` },
  { name: 'a valid key twice, comma-joined', header: (ctx) => `Bearer ${ctx.anyKey()}, Bearer ${ctx.anyKey()}` },
];

const badCredentialChecks: Check[] = badCredentials.map((b) =>
  check(`${b.name} is refused with 401 on GET /status`, async (ctx) => {
    const value = b.header(ctx);
    const res = await ctx.client.request({ path: '/status', headers: { authorization: value }, secrets: [value.replace(/^\w+\s*/, '')].filter((s) => s.length >= 8) });
    expectUnauthorized(res);
  }),
);

/** Exact header bytes through a raw socket: fetch-like clients would normalise these away. */
function rawAuthCheck(name: string, mutate: (key: string) => Buffer): Check {
  return check(`${name} is refused with 401 on GET /status`, async (ctx) => {
    const key = ctx.anyKey();
    const head = Buffer.concat([
      Buffer.from(`GET /status HTTP/1.1\r\nHost: ${hostHeader(ctx.client.options.url)}\r\nConnection: close\r\nAuthorization: Bearer `, 'latin1'),
      mutate(key),
      Buffer.from('\r\n\r\n', 'latin1'),
    ]);
    const r = await ctx.client.rawBytes(head, 8000);
    assert.ok(r.response, `no HTTP answer (closed=${r.closed}, error=${r.error ?? 'none'})`);
    // a parser may refuse the bytes outright with 400; what must never happen is acceptance
    assert.ok(r.response.status === 401 || r.response.status === 400, `expected 401 (or a parser's 400), got ${r.response.status} ${r.response.body.slice(0, 200)}`);
    if (r.response.status === 401) assert.match(r.response.headers['www-authenticate'] ?? '', /^Bearer\b/i, '401 must carry WWW-Authenticate: Bearer');
  });
}

const rawChecks: Check[] = [
  rawAuthCheck('a valid key followed by a UTF-8 non-breaking space', (k) => Buffer.concat([Buffer.from(k, 'latin1'), Buffer.from('\u00a0', 'utf8')])),
  rawAuthCheck('a valid key with a Cyrillic lookalike letter', (k) => {
    const i = [...k].findIndex((c) => /[aeopcxyAEOPCXY]/.test(c));
    const lookalike: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', y: 'у', A: 'А', E: 'Е', O: 'О', P: 'Р', C: 'С', X: 'Х', Y: 'У' };
    if (i < 0) return Buffer.from(`${k}а`, 'utf8');
    return Buffer.from(k.slice(0, i) + lookalike[k[i]!]! + k.slice(i + 1), 'utf8');
  }),
  rawAuthCheck('a valid key followed by a zero-width space', (k) => Buffer.from(`${k}\u200b`, 'utf8')),
];

const elsewhere: Check[] = [
  check('HEAD /status and HEAD /admin/keys without a credential are 401, not 200', async (ctx) => {
    for (const path of ['/status', '/admin/keys']) {
      const res = await ctx.client.request({ method: 'HEAD', path });
      assert.equal(res.status, 401, `HEAD must not bypass authentication: ${show(res)}`);
      assert.match(res.headers['www-authenticate'] ?? '', /^Bearer\b/i, `401 must carry WWW-Authenticate: Bearer on ${path}`);
    }
  }),
  check('a method-override header does not turn a refused request into an admin action', async (ctx) => {
    const res = await ctx.client.request({ method: 'POST', path: '/admin/keys', token: ctx.options.keys.read ?? ctx.anyKey(), headers: { 'x-http-method-override': 'GET', 'x-method-override': 'GET' }, body: {} });
    assert.ok(res.status === 403 || res.status === 401, `expected 403: ${show(res)}`);
  }),
  check('a valid key in the query string is not accepted (401)', async (ctx) => {
    const key = ctx.anyKey();
    for (const name of ['api_key', 'token', 'access_token', 'key']) {
      const res = await ctx.client.request({ path: `/status?${name}=${encodeURIComponent(key)}`, secrets: [key] });
      assert.ok(res.status === 401 || res.status === 400, `a key in ?${name}= must not authenticate: ${show(res)}`);
    }
  }),
  check('a valid key in an X-API-Key header alone does not grant admin', async (ctx) => {
    const key = ctx.key('admin');
    const res = await ctx.client.request({ path: '/admin/keys', headers: { 'x-api-key': key }, secrets: [key] });
    // the contract names only Authorization: Bearer; at the very least this must not bypass it silently
    assert.ok(res.status === 401, `expected 401: ${show(res)}`);
  }),
];

export const authentication: Group = {
  name: 'authentication',
  checks: [...withoutCredential, ...badCredentialChecks, ...rawChecks, ...elsewhere, ...jwtChecks, ...tokenExchangeChecks],
};
