/** metrics: the Prometheus exposition lives on its own listener; the API port answers 404 for it. */
import assert from 'node:assert/strict';
import { check, type Group } from '../harness.ts';
import { show } from '../expect.ts';

const PATHS = ['/metrics', '/metrics/', '/Metrics', '/prometheus', '/debug/vars', '/server-status', '/.env', '/.git/config'];

export const metrics: Group = {
  name: 'metrics',
  checks: [
    check('GET /metrics on the API port is 404 without a credential', async (ctx) => {
      const res = await ctx.client.request({ path: '/metrics' });
      assert.equal(res.status, 404, show(res));
      assert.ok(!/^# (HELP|TYPE) /m.test(res.text), 'the answer is a Prometheus exposition');
    }),
    check('GET /metrics on the API port is 404 even with the admin key', async (ctx) => {
      const res = await ctx.client.request({ path: '/metrics', token: ctx.key('admin') });
      assert.equal(res.status, 404, show(res));
      assert.ok(!/^# (HELP|TYPE) /m.test(res.text), 'the answer is a Prometheus exposition');
    }),
    check('no exposition, debug page or dotfile is served on the API port', async (ctx) => {
      const key = ctx.options.keys.admin ?? ctx.options.keys.read;
      for (const path of PATHS) {
        const res = await ctx.client.request({ path, token: key });
        assert.ok(res.status === 404 || res.status === 401 || res.status === 403, `must not be served: ${show(res)}`);
        assert.ok(!/^# (HELP|TYPE) /m.test(res.text) && !/\[core\]|JARVIS_/.test(res.text), `leaks content: ${show(res)}`);
      }
    }),
  ],
};
