/**
 * authorization: each permission boundary answers 403; the order of checks is the contract's
 * (no body is read before the credential and permission pass); path spellings do not slip past.
 */
import assert from 'node:assert/strict';
import { check, type Check, type Ctx, type Group } from '../harness.ts';
import { expectForbidden, expectProblem, expectUnauthorized, show } from '../expect.ts';
import { hostHeader } from '../raw.ts';
import { call, protectedEndpoints, randomId, skipIfAbsent, undoIfCreated } from './endpoints.ts';

const nonAdmin = (ctx: Ctx): string => ctx.options.keys.full ?? ctx.options.keys.chat ?? ctx.key('read');

const boundaries: Check[] = [
  ...protectedEndpoints().filter((e) => e.needs === 'chat').map((e) =>
    check(`the read key is 403 on ${e.method} ${e.path}`, async (ctx) => {
      expectForbidden(await call(ctx, e, ctx.key('read')));
    }),
  ),
  ...protectedEndpoints().filter((e) => e.needs === 'stream').map((e) =>
    check(`the chat key (no stream) is 403 on ${e.method} ${e.path.replace(/suite[0-9a-f]+/, '{id}')}`, async (ctx) => {
      expectForbidden(await call(ctx, e, ctx.key('chat')));
    }),
  ),
  ...protectedEndpoints().filter((e) => e.needs === 'admin').map((e) =>
    check(`a non-admin key is 403 on ${e.method} ${e.path.replace(/suite[0-9a-f]+/, '{id}')}`, async (ctx) => {
      const res = await call(ctx, e, nonAdmin(ctx));
      undoIfCreated(ctx, e, res);
      skipIfAbsent(e, res);
      expectForbidden(res);
    }),
  ),
  check('POST /chat with stream_audio:true and a chat-only key is 403', async (ctx) => {
    const res = await ctx.client.request({ method: 'POST', path: '/chat', token: ctx.key('chat'), body: { text: 'hello', use_tts: true, stream_audio: true } });
    expectForbidden(res);
  }),
];

/** Sends headers promising a large body and none of it: only an early answer can come back in time. */
async function promisedBody(ctx: Ctx, token: string | undefined, contentType = 'application/json'): Promise<{ status: number | undefined; ms: number | undefined }> {
  const head = [
    'POST /chat HTTP/1.1',
    `Host: ${hostHeader(ctx.client.options.url)}`,
    `Content-Type: ${contentType}`,
    `Content-Length: ${50 * 1024 * 1024}`,
    ...(token ? [`Authorization: Bearer ${token}`] : []),
    '', '',
  ].join('\r\n');
  const r = await ctx.client.raw(async (w) => {
    await w.write(head);
    await w.write('{"text":');
  }, { timeoutMs: 5000 });
  return { status: r.response?.status, ms: r.answeredAfterMs };
}

const order: Check[] = [
  check('an unauthenticated POST /chat with broken JSON is 401, not 400', async (ctx) => {
    expectUnauthorized(await ctx.client.request({ method: 'POST', path: '/chat', headers: { 'content-type': 'application/json' }, body: '{"text":' }));
  }),
  check('an unauthenticated POST /chat with text/plain is 401, not 415', async (ctx) => {
    expectUnauthorized(await ctx.client.request({ method: 'POST', path: '/chat', headers: { 'content-type': 'text/plain' }, body: 'hello' }));
  }),
  check('an unauthenticated POST /chat announcing 50 MB is answered 401 without waiting for the body', async (ctx) => {
    const r = await promisedBody(ctx, undefined);
    assert.equal(r.status, 401, `expected an early 401, got ${r.status ?? 'no answer within 5 s'}`);
  }),
  check('the read key on POST /chat announcing 50 MB is answered 403 without waiting for the body', async (ctx) => {
    const r = await promisedBody(ctx, ctx.key('read'));
    assert.equal(r.status, 403, `expected an early 403, got ${r.status ?? 'no answer within 5 s'}`);
  }),
  check('the read key on POST /chat with broken JSON is 403, not 400', async (ctx) => {
    expectForbidden(await ctx.client.request({ method: 'POST', path: '/chat', token: ctx.key('read'), headers: { 'content-type': 'application/json' }, body: '{"text":' }));
  }),
  check('an unauthenticated DELETE /status is 401 (credential before method)', async (ctx) => {
    expectUnauthorized(await ctx.client.request({ method: 'DELETE', path: '/status' }));
  }),
  check('an unknown route with a valid key is a 404 problem', async (ctx) => {
    expectProblem(await ctx.client.request({ path: `/${randomId()}`, token: ctx.anyKey() }), 404);
  }),
  check('an unknown route without a credential is a 401 or 404 problem, never 2xx or 5xx', async (ctx) => {
    const res = await ctx.client.request({ path: `/${randomId()}` });
    expectProblem(res, 401, 404);
    ctx.note(`unknown routes answer ${res.status} without a credential`);
  }),
];

const ADMIN_SPELLINGS = [
  '/ADMIN/KEYS', '/Admin/keys', '/admin/keys/', '//admin/keys', '/admin//keys', '/%61dmin/keys', '/admin/%6Beys',
  '/admin/keys;.json', '/admin/keys%2F', '/./admin/keys', '/status/../admin/keys', '/status/%2e%2e/admin/keys',
  '/admin/keys.json', '/admin/keys%00', '/admin/keys?scope=admin', '/admin/keys%20',
];

const spellings: Check[] = [
  check('other spellings of /admin/keys are never 2xx or 5xx without a credential', async (ctx) => {
    for (const path of ADMIN_SPELLINGS) {
      const res = await ctx.client.request({ path });
      assert.ok(res.status >= 300 && res.status < 500, `must not answer ${res.status}: ${show(res)}`);
      assert.ok(!(res.status >= 200 && res.status < 300), `bypass: ${show(res)}`);
    }
  }),
  check('other spellings of /admin/keys are never 2xx or 5xx with a non-admin key', async (ctx) => {
    const key = nonAdmin(ctx);
    for (const path of ADMIN_SPELLINGS) {
      const res = await ctx.client.request({ path, token: key });
      assert.ok(res.status >= 300 && res.status < 500, `must not answer ${res.status}: ${show(res)}`);
    }
  }),
];

export const authorization: Group = { name: 'authorization', checks: [...boundaries, ...order, ...spellings] };
