/**
 * headers: the security headers come from the application on every kind of answer (success,
 * 401, 404), nothing names the software, and CORS admits only the configured origins.
 */
import assert from 'node:assert/strict';
import { check, skip, type Check, type Ctx, type Group } from '../harness.ts';
import type { Res } from '../http.ts';
import { show } from '../expect.ts';

const FOREIGN_ORIGIN = 'https://attacker.example';

/** One response of each kind the suite can get, fetched once per run. */
function samples(ctx: Ctx): Promise<Res[]> {
  return ctx.memo('header-samples', async () => {
    const out = [
      await ctx.client.request({ path: '/health' }),
      await ctx.client.request({ path: '/status' }),
      await ctx.client.request({ path: '/no-such-route-for-headers' }),
    ];
    const key = ctx.options.keys.read ?? ctx.options.keys.full ?? ctx.options.keys.chat;
    if (key) out.push(await ctx.client.request({ path: '/status', token: key }));
    return out;
  });
}

function onEvery(name: string, assertion: (res: Res) => void): Check {
  return check(name, async (ctx) => {
    for (const res of await samples(ctx)) assertion(res);
  });
}

const security: Check[] = [
  onEvery('Strict-Transport-Security with max-age of at least 180 days is on every answer', (res) => {
    const v = res.headers['strict-transport-security'] ?? '';
    const age = Number(/max-age=(\d+)/i.exec(v)?.[1] ?? NaN);
    assert.ok(age >= 15_552_000, `HSTS missing or short ("${v}"): ${show(res)}`);
  }),
  onEvery('X-Content-Type-Options: nosniff is on every answer', (res) => {
    assert.equal(res.headers['x-content-type-options']?.toLowerCase(), 'nosniff', `missing nosniff: ${show(res)}`);
  }),
  onEvery('framing is forbidden (X-Frame-Options or CSP frame-ancestors) on every answer', (res) => {
    const xfo = (res.headers['x-frame-options'] ?? '').toUpperCase();
    const csp = res.headers['content-security-policy'] ?? '';
    const ok = xfo === 'DENY' || xfo === 'SAMEORIGIN' || /frame-ancestors\s+('none'|'self')/i.test(csp);
    assert.ok(ok, `no X-Frame-Options DENY/SAMEORIGIN nor frame-ancestors: ${show(res)}`);
  }),
  onEvery('Referrer-Policy is strict on every answer', (res) => {
    const v = (res.headers['referrer-policy'] ?? '').toLowerCase();
    const strict = ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'];
    assert.ok(v.split(',').map((s) => s.trim()).some((p) => strict.includes(p)), `Referrer-Policy missing or loose ("${v}"): ${show(res)}`);
  }),
  onEvery('no X-Powered-By header on any answer', (res) => {
    assert.equal(res.headers['x-powered-by'], undefined, `X-Powered-By leaks the framework: ${show(res)}`);
  }),
  onEvery('the Server header, if any, carries no version', (res) => {
    const v = res.headers.server;
    if (v !== undefined) assert.ok(!/\d|node|koa|express/i.test(v), `Server header leaks software or version: "${v}"`);
  }),
  onEvery('X-Request-Id is on every answer', (res) => {
    assert.match(res.headers['x-request-id'] ?? '', /^[A-Za-z0-9._-]{1,128}$/, `X-Request-Id missing or malformed: ${show(res)}`);
  }),
];

const cors: Check[] = [
  check('a foreign Origin gets no Access-Control-Allow-Origin', async (ctx) => {
    const res = await ctx.client.request({ path: '/health', headers: { origin: FOREIGN_ORIGIN } });
    const acao = res.headers['access-control-allow-origin'];
    assert.ok(acao === undefined || (acao !== FOREIGN_ORIGIN && acao !== '*'), `foreign origin admitted: ACAO=${acao}`);
    assert.notEqual(res.headers['access-control-allow-credentials'], 'true', 'credentials allowed for a foreign origin');
  }),
  check('Origin: null is not admitted', async (ctx) => {
    const res = await ctx.client.request({ path: '/health', headers: { origin: 'null' } });
    const acao = res.headers['access-control-allow-origin'];
    assert.ok(acao === undefined || (acao !== 'null' && acao !== '*'), `null origin admitted: ACAO=${acao}`);
  }),
  check('a preflight from a foreign origin is not granted', async (ctx) => {
    const res = await ctx.client.request({
      method: 'OPTIONS', path: '/chat',
      headers: { origin: FOREIGN_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    const acao = res.headers['access-control-allow-origin'];
    assert.ok(acao === undefined || (acao !== FOREIGN_ORIGIN && acao !== '*'), `foreign preflight granted: ${show(res)} ACAO=${acao}`);
    assert.ok(res.status < 500, `preflight must not fail with ${res.status}`);
  }),
  check('an origin that merely starts with an allowed one is not admitted', async (ctx) => {
    const allowed = ctx.options.allowedOrigin ?? skip('needs JARVIS_TEST_ALLOWED_ORIGIN');
    const lookalike = `${allowed}.attacker.example`;
    const res = await ctx.client.request({ path: '/health', headers: { origin: lookalike } });
    assert.notEqual(res.headers['access-control-allow-origin'], lookalike, 'prefix-matched origin admitted');
  }),
  check('an allowed Origin gets Access-Control-Allow-Origin echoing it and Vary: Origin', async (ctx) => {
    const allowed = ctx.options.allowedOrigin ?? skip('needs JARVIS_TEST_ALLOWED_ORIGIN (an origin in the target\'s JARVIS_ALLOWED_ORIGINS)');
    const res = await ctx.client.request({ path: '/health', headers: { origin: allowed } });
    assert.equal(res.headers['access-control-allow-origin'], allowed, `allowed origin not admitted: ${show(res)}`);
    assert.match(res.headers.vary ?? '', /\borigin\b/i, 'a per-origin answer must carry Vary: Origin');
  }),
  check('a preflight from an allowed origin is granted for POST with Authorization and Content-Type', async (ctx) => {
    const allowed = ctx.options.allowedOrigin ?? skip('needs JARVIS_TEST_ALLOWED_ORIGIN');
    const res = await ctx.client.request({
      method: 'OPTIONS', path: '/chat',
      headers: { origin: allowed, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    assert.ok(res.status === 204 || res.status === 200, `preflight must succeed without a credential: ${show(res)}`);
    assert.equal(res.headers['access-control-allow-origin'], allowed);
    assert.match(res.headers['access-control-allow-methods'] ?? '', /\bPOST\b/i, 'Allow-Methods must include POST');
    const allowHeaders = (res.headers['access-control-allow-headers'] ?? '').toLowerCase();
    assert.ok(allowHeaders.includes('authorization') && allowHeaders.includes('content-type'), `Allow-Headers must include authorization and content-type, got "${allowHeaders}"`);
  }),
];

export const headers: Group = { name: 'headers', checks: [...security, ...cors] };
