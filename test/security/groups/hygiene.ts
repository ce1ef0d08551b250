/**
 * hygiene: error answers leak nothing (stack traces, paths, library names, the credential that
 * was sent), request ids follow the contract, and — over every exchange of this run so far —
 * every answer carried X-Request-Id and Cache-Control: no-store, and every error was problem+json
 * whose request_id equals the header.
 */
import assert from 'node:assert/strict';
import { check, type Check, type Ctx, type Group } from '../harness.ts';
import type { Exchange } from '../http.ts';
import { expectProblem, show } from '../expect.ts';
import { findEchoedSecrets, findLeaks } from '../leaks.ts';
import { malformed } from './hygiene-malformed.ts';
import { randomId } from './endpoints.ts';

const canary = `suite-canary-${randomId()}`;

const probes: Check[] = [
  check('error answers to a canary credential do not echo it (status, admin, token exchange, logout)', async (ctx) => {
    for (const [method, path] of [['GET', '/status'], ['GET', '/admin/keys'], ['POST', '/auth/token'], ['POST', '/auth/logout']] as const) {
      const res = await ctx.client.request({ method, path, token: canary, body: method === 'POST' ? {} : undefined });
      assert.equal(res.status, 401, show(res));
      assert.deepEqual(findEchoedSecrets(res.text, res.headers, [canary]), [], `${method} ${path} echoed the credential`);
    }
  }),
  check('a body with invalid JSON is not echoed back in the error', async (ctx) => {
    const res = await ctx.client.request({ method: 'POST', path: '/chat', token: ctx.key('chat'), headers: { 'content-type': 'application/json' }, body: `{"text": "${canary}" oops}` });
    expectProblem(res, 400);
    assert.ok(!res.text.includes(canary), `the error echoes the submitted body: ${show(res)}`);
  }),
  check('a well-formed incoming X-Request-Id is kept, and the problem carries it', async (ctx) => {
    const id = `Suite.req_${randomId()}-1`;
    const res = await ctx.client.request({ path: '/status', headers: { 'x-request-id': id } });
    assert.equal(res.headers['x-request-id'], id, 'a well-formed X-Request-Id must be echoed');
    assert.equal(expectProblem(res, 401).request_id, id);
  }),
  ...[
    ['of 129 characters', 'a'.repeat(129)],
    ['with a space and angle brackets', 'bad id <script>'],
    ['with a CRLF-looking escape', 'abc%0d%0aSet-Cookie:x=1'],
    ['with a slash', 'a/b'],
  ].map(([what, id]) =>
    check(`an incoming X-Request-Id ${what} is replaced`, async (ctx) => {
      const res = await ctx.client.request({ path: '/health', headers: { 'x-request-id': id! } });
      const got = res.headers['x-request-id'] ?? '';
      assert.notEqual(got, id, 'a malformed X-Request-Id must not be echoed');
      assert.match(got, /^[A-Za-z0-9._-]{1,128}$/, `the replacement must be well-formed, got "${got}"`);
      assert.equal(res.headers['set-cookie'], undefined, 'no header may be injected');
    }),
  ),
];

const openapi: Check[] = [
  check('GET /openapi.json is public OpenAPI 3.1 and carries no secret or key material', async (ctx) => {
    const res = await ctx.client.request({ path: '/openapi.json', maxBodyBytes: 2 * 1024 * 1024 });
    assert.equal(res.status, 200, show(res));
    const doc = res.json as { openapi?: unknown; paths?: Record<string, unknown> } | undefined;
    assert.match(String(doc?.openapi), /^3\.1\./, 'the document must declare openapi 3.1.x');
    for (const path of ['/chat', '/status', '/auth/token', '/admin/keys']) assert.ok(doc?.paths?.[path], `the document must describe ${path}`);
    for (const s of Object.values(ctx.options.keys)) if (s) assert.ok(!res.text.includes(s), 'the document contains a configured key');
    assert.deepEqual(findLeaks(res.text).filter((l) => /stack|node_modules|file URL|source path/.test(l)), [], 'the document leaks internal paths');
  }),
];

/** Problems in one exchange, as lines. */
function exchangeProblems(e: Exchange): string[] {
  const out: string[] = [];
  const where = `${e.method} ${e.path} → ${e.status} (${e.check})`;
  if (e.status >= 400) for (const l of findLeaks(e.text)) out.push(`${where}: ${l}`);
  for (const l of findEchoedSecrets(e.text, e.headers, e.secrets)) out.push(`${where}: ${l}`);
  return out;
}

function corpusCheck(name: string, fn: (e: Exchange) => string[]): Check {
  return check(name, async (ctx: Ctx) => {
    const all = ctx.client.exchanges;
    const bad = all.flatMap(fn);
    ctx.note(`${all.length} exchanges examined`);
    assert.equal(bad.length, 0, `${bad.length} finding(s):\n${[...new Set(bad)].slice(0, 15).join('\n')}`);
  });
}

const corpus: Check[] = [
  corpusCheck('no answer of this run leaked internals or echoed the credential it was sent', exchangeProblems),
  corpusCheck('every answer of this run carried a well-formed X-Request-Id', (e) =>
    /^[A-Za-z0-9._-]{1,128}$/.test(e.headers['x-request-id'] ?? '') ? [] : [`${e.method} ${e.path} → ${e.status}: X-Request-Id "${e.headers['x-request-id'] ?? ''}"`]),
  corpusCheck('every non-static answer of this run carried Cache-Control: no-store', (e) =>
    e.path.startsWith('/openapi.json') || /\bno-store\b/i.test(e.headers['cache-control'] ?? '') ? [] : [`${e.method} ${e.path} → ${e.status}: Cache-Control "${e.headers['cache-control'] ?? ''}"`]),
  corpusCheck('every error answer of this run was problem+json with request_id equal to X-Request-Id', (e) => {
    if (e.status < 400 || e.method === 'HEAD') return [];
    const where = `${e.method} ${e.path} → ${e.status}`;
    if (!/^application\/problem\+json/i.test(e.headers['content-type'] ?? '')) return [`${where}: Content-Type "${e.headers['content-type'] ?? ''}"`];
    try {
      const p = JSON.parse(e.text) as { request_id?: unknown; status?: unknown; title?: unknown; type?: unknown };
      if (p.request_id !== e.headers['x-request-id']) return [`${where}: request_id ${JSON.stringify(p.request_id)} ≠ header ${e.headers['x-request-id'] ?? ''}`];
      if (p.status !== e.status || typeof p.title !== 'string' || typeof p.type !== 'string') return [`${where}: not {type, title, status}`];
    } catch {
      return [`${where}: body is not JSON`];
    }
    return [];
  }),
];

export const hygiene: Group = { name: 'hygiene', checks: [...probes, ...malformed, ...openapi, ...corpus] };
