/**
 * The token exchange and logout: only an API key in the Authorization header can mint a token,
 * never more scope than the key holds, a JWT cannot mint another, and logout ends the session.
 */
import assert from 'node:assert/strict';
import { check, type Check } from '../harness.ts';
import { expectForbidden, expectProblem, expectUnauthorized, show } from '../expect.ts';
import { eventually, mint, sharedToken } from './tokens.ts';

export const tokenExchangeChecks: Check[] = [
  check('POST /auth/token with the key in the body instead of the header is 401', async (ctx) => {
    const key = ctx.anyKey();
    expectUnauthorized(await ctx.client.request({ method: 'POST', path: '/auth/token', body: { api_key: key, key }, secrets: [key] }));
  }),
  check('POST /auth/token with a JWT as the credential is 403', async (ctx) => {
    const t = await sharedToken(ctx);
    const res = await ctx.client.request({ method: 'POST', path: '/auth/token', token: t.access_token, body: {} });
    expectForbidden(res);
  }),
  check('POST /auth/token asking for more scope than the read key holds is 403', async (ctx) => {
    const res = await ctx.client.request({ method: 'POST', path: '/auth/token', token: ctx.key('read'), body: { scope: 'read chat' } });
    expectForbidden(res);
  }),
  check('POST /auth/token asking for admin with a non-admin key is 403', async (ctx) => {
    const res = await ctx.client.request({ method: 'POST', path: '/auth/token', token: ctx.key('chat'), body: { scope: 'admin' } });
    expectForbidden(res);
  }),
  check('POST /auth/token with an unknown scope word is refused (400 or 403)', async (ctx) => {
    const res = await ctx.client.request({ method: 'POST', path: '/auth/token', token: ctx.key('chat'), body: { scope: 'read superuser' } });
    expectProblem(res, 400, 403);
  }),
  check('a JWT minted with scope "read" from a chat key cannot chat (403)', async (ctx) => {
    const t = await mint(ctx, ctx.key('chat'), 'read');
    assert.equal(t.scope, 'read', `the token must carry exactly the requested scope, got "${t.scope}"`);
    expectForbidden(await ctx.client.request({ method: 'POST', path: '/chat', token: t.access_token, body: { text: 'hello' } }));
  }),
  check('a JWT from a non-admin key is 403 on GET /admin/keys', async (ctx) => {
    const t = await mint(ctx, ctx.key('full'));
    expectForbidden(await ctx.client.request({ path: '/admin/keys', token: t.access_token }));
  }),
  check('POST /auth/logout with an API key is 400', async (ctx) => {
    expectProblem(await ctx.client.request({ method: 'POST', path: '/auth/logout', token: ctx.anyKey() }), 400);
  }),
  check('after POST /auth/logout (204) the JWT is refused with 401 within 5 s', async (ctx) => {
    const t = await mint(ctx, ctx.anyKey(), undefined, { cleanup: false });
    const before = await ctx.client.request({ path: '/status', token: t.access_token });
    assert.equal(before.status, 200, `the fresh token must work before logout: ${show(before)}`);
    const out = await ctx.client.request({ method: 'POST', path: '/auth/logout', token: t.access_token });
    assert.equal(out.status, 204, `logout must answer 204: ${show(out)}`);
    let last = out;
    const revoked = await eventually(5000, async () => {
      last = await ctx.client.request({ path: '/status', token: t.access_token });
      return last.status === 401;
    });
    assert.ok(revoked, `the logged-out token still works after 5 s: ${show(last)}`);
    expectUnauthorized(last);
    expectUnauthorized(await ctx.client.request({ method: 'POST', path: '/auth/logout', token: t.access_token }));
  }),
];
