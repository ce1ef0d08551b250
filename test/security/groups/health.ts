/** health: the probes answer without a credential and say nothing more than they must. */
import assert from 'node:assert/strict';
import { check, type Group } from '../harness.ts';
import { expectNoStore, expectStatus, show } from '../expect.ts';

export const health: Group = {
  name: 'health',
  checks: [
    check('GET /health without a credential is 200 with exactly {"status":"ok"}', async (ctx) => {
      const res = await ctx.client.request({ path: '/health' });
      expectStatus(res, 200);
      assert.match(res.headers['content-type'] ?? '', /^application\/json\b/i, `Content-Type must be application/json: ${show(res)}`);
      assert.deepEqual(res.json, { status: 'ok' }, `the body must be exactly {"status":"ok"} (no version, no uptime): ${show(res)}`);
      assert.ok(res.headers['x-request-id'], 'X-Request-Id must be present');
      expectNoStore(res);
    }),
    check('GET /health does not reveal a version or uptime in its headers', async (ctx) => {
      const res = await ctx.client.request({ path: '/health' });
      for (const [name, value] of Object.entries(res.headers)) {
        assert.ok(!/version|uptime/i.test(name), `header ${name} leaks internals`);
        if (name === 'server') assert.ok(!/\d/.test(value), `Server header carries a version: "${value}"`);
      }
    }),
    check('GET /health with a garbage credential is still 200 (no auth on liveness)', async (ctx) => {
      const res = await ctx.client.request({ path: '/health', token: 'garbage-credential-for-health' });
      expectStatus(res, 200);
    }),
    check('GET /ready without a credential is 200, or 503 naming the part that is not ready', async (ctx) => {
      const res = await ctx.client.request({ path: '/ready' });
      expectStatus(res, 200, 503);
      assert.ok(res.json && typeof res.json === 'object', `/ready must answer JSON: ${show(res)}`);
      if (res.status === 503) ctx.note(`target not ready: ${res.text.slice(0, 200)}`);
      assert.ok(!/node_modules|\bat .+:\d+:\d+/.test(res.text), `/ready must not carry stack traces or paths: ${show(res)}`);
    }),
    check('HEAD /health answers 200 or 405 and never 5xx', async (ctx) => {
      const res = await ctx.client.request({ method: 'HEAD', path: '/health' });
      expectStatus(res, 200, 405);
    }),
  ],
};
