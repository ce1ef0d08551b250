/**
 * admin: managed keys (admin-keys.ts), sessions that can be listed and revoked, IP blocks that
 * are accepted, listed and removed, the audit stream (admin-audit.ts). Everything created here is
 * removed at the end of the run. IP blocks only ever name TEST-NET-3 addresses (203.0.113.0/24),
 * which no real client has. Listings are projections of the event log: they get 5 s too.
 */
import assert from 'node:assert/strict';
import { check, type Group } from '../harness.ts';
import { expectFieldError, show } from '../expect.ts';
import { TEST_NET_IP } from './endpoints.ts';
import { eventually, mint } from './tokens.ts';
import { auditChecks } from './admin-audit.ts';
import { keyChecks, knownSecrets } from './admin-keys.ts';

const sessions = [
  check('GET /admin/sessions lists a new session without its token, and DELETE revokes it within 5 s', async (ctx) => {
    const admin = ctx.key('admin');
    const t = await mint(ctx, ctx.options.keys.chat ?? ctx.anyKey());
    // the listing is a projection of the event log: give it the same 5 s as enforcement
    let list = await ctx.client.request({ path: '/admin/sessions', token: admin });
    await eventually(5000, async () => {
      list = await ctx.client.request({ path: '/admin/sessions', token: admin });
      return list.status === 200 && list.text.includes(t.session_id);
    });
    assert.equal(list.status, 200, show(list));
    assert.ok(list.text.includes(t.session_id), `the listing must include session ${t.session_id} within 5 s: ${show(list)}`);
    for (const s of knownSecrets(ctx, [t.access_token, t.access_token.split('.')[2]!])) assert.ok(!list.text.includes(s), 'the listing shows a secret');
    const del = await ctx.client.request({ method: 'DELETE', path: `/admin/sessions/${encodeURIComponent(t.session_id)}`, token: admin });
    assert.ok(del.status === 204 || del.status === 200, `DELETE must answer 204: ${show(del)}`);
    const refused = await eventually(5000, async () => (await ctx.client.request({ path: '/status', token: t.access_token })).status === 401);
    assert.ok(refused, 'the revoked session still works after 5 s');
  }),
];

const blocks = [
  check('an IP block on a TEST-NET address is created (201 {id, cidr, expires_at}), listed and removed', async (ctx) => {
    const admin = ctx.key('admin');
    const res = await ctx.client.request({ method: 'POST', path: '/admin/ip-blocks', token: admin, body: { cidr: TEST_NET_IP, expires_in: 300, reason: 'security suite' } });
    assert.equal(res.status, 201, show(res));
    const b = res.json as { id?: unknown; cidr?: unknown; expires_at?: unknown };
    assert.equal(typeof b.id, 'string', show(res));
    assert.ok('cidr' in b && 'expires_at' in b, show(res));
    const path = `/admin/ip-blocks/${encodeURIComponent(b.id as string)}`;
    let removed = false;
    ctx.onCleanup(`remove the IP block on ${TEST_NET_IP}`, async () => {
      if (!removed) await ctx.client.request({ method: 'DELETE', path, token: admin });
    });
    let list = await ctx.client.request({ path: '/admin/ip-blocks', token: admin });
    await eventually(5000, async () => {
      list = await ctx.client.request({ path: '/admin/ip-blocks', token: admin });
      return list.status === 200 && list.text.includes(b.id as string);
    });
    assert.ok(list.status === 200 && list.text.includes(b.id as string), `the block must be listed within 5 s: ${show(list)}`);

    // the block must only apply to the real client address: a forged X-Forwarded-For from an
    // untrusted peer is ignored; from a trusted proxy it is honoured
    const probe = async (): Promise<number> => (await ctx.client.request({ path: '/status', token: ctx.anyKey(), headers: { 'x-forwarded-for': TEST_NET_IP } })).status;
    if (ctx.options.trustedProxy) {
      assert.ok(await eventually(5000, async () => (await probe()) === 403), 'a blocked client behind a trusted proxy must get 403 within 5 s');
    } else {
      assert.equal(await probe(), 200, 'X-Forwarded-For from an untrusted peer must be ignored (set JARVIS_TEST_TRUSTED_PROXY=1 if the target trusts this client)');
    }
    const del = await ctx.client.request({ method: 'DELETE', path, token: admin });
    assert.ok(del.status === 204 || del.status === 200, `DELETE must answer 204: ${show(del)}`);
    removed = true;
    const gone = await eventually(5000, async () => !(await ctx.client.request({ path: '/admin/ip-blocks', token: admin })).text.includes(b.id as string));
    assert.ok(gone, 'the removed block is still listed after 5 s');
  }),
  check('POST /admin/ip-blocks with an invalid CIDR names cidr', async (ctx) => {
    expectFieldError(await ctx.client.request({ method: 'POST', path: '/admin/ip-blocks', token: ctx.key('admin'), body: { cidr: '999.1.1.1/99' } }), 'cidr');
  }),
];

export const admin: Group = { name: 'admin', checks: [...keyChecks, ...sessions, ...blocks, ...auditChecks] };
