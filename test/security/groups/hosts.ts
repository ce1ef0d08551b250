/**
 * hosts: with JARVIS_TRUSTED_HOSTS set on the target (tell the suite with
 * JARVIS_TEST_UNTRUSTED_HOST_EXPECTED=1), a foreign Host is refused with 400 or 421 before anything
 * else, while /health and /ready stay reachable for probes that use an address.
 */
import assert from 'node:assert/strict';
import { check, skip, type Ctx, type Group } from '../harness.ts';
import { expectProblem, show } from '../expect.ts';

const FOREIGN_HOST = 'attacker.example';

function expected(ctx: Ctx): void {
  if (!ctx.options.untrustedHostExpected) skip('set JARVIS_TEST_UNTRUSTED_HOST_EXPECTED=1 when the target sets JARVIS_TRUSTED_HOSTS');
}

export const hosts: Group = {
  name: 'hosts',
  checks: [
    check('a foreign Host on GET /status is refused with 400 or 421', async (ctx) => {
      expected(ctx);
      expectProblem(await ctx.client.request({ path: '/status', token: ctx.anyKey(), headers: { host: FOREIGN_HOST } }), 400, 421);
    }),
    check('a foreign Host is refused before the credential is checked (no 401)', async (ctx) => {
      expected(ctx);
      expectProblem(await ctx.client.request({ path: '/status', headers: { host: FOREIGN_HOST } }), 400, 421);
    }),
    check('a foreign Host with the target\'s port appended is refused too', async (ctx) => {
      expected(ctx);
      const port = ctx.client.options.url.port || (ctx.client.options.url.protocol === 'https:' ? '443' : '80');
      expectProblem(await ctx.client.request({ path: '/status', token: ctx.anyKey(), headers: { host: `${FOREIGN_HOST}:${port}` } }), 400, 421);
    }),
    check('a Host that only ends with a trusted name is refused', async (ctx) => {
      expected(ctx);
      const trusted = ctx.client.options.url.hostname;
      expectProblem(await ctx.client.request({ path: '/status', token: ctx.anyKey(), headers: { host: `${trusted}.${FOREIGN_HOST}` } }), 400, 421);
    }),
    check('/health answers 200 whatever the Host', async (ctx) => {
      expected(ctx);
      const res = await ctx.client.request({ path: '/health', headers: { host: FOREIGN_HOST } });
      assert.equal(res.status, 200, `/health is exempt from the host check: ${show(res)}`);
    }),
    check('/ready answers 200 or 503 whatever the Host', async (ctx) => {
      expected(ctx);
      const res = await ctx.client.request({ path: '/ready', headers: { host: FOREIGN_HOST } });
      assert.ok(res.status === 200 || res.status === 503, `/ready is exempt from the host check: ${show(res)}`);
    }),
    check('the target\'s own Host is accepted on GET /status', async (ctx) => {
      const res = await ctx.client.request({ path: '/status', token: ctx.anyKey() });
      assert.equal(res.status, 200, `the URL's own host must be trusted for the suite to be meaningful: ${show(res)}`);
    }),
  ],
};
