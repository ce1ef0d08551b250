/**
 * rate-limit: spends the target's API-tier budget, so it runs last (opt out with --skip rate-limit).
 * Hammers GET /status with a key until 429 (never more than --rate-limit-cap requests), checks the
 * 429 and the headers, that probes and the stream tier are not caught by it, that Retry-After is
 * truthful, and that failed authentications count toward the client IP's budget.
 */
import assert from 'node:assert/strict';
import { check, skip, type Ctx, type Group } from '../harness.ts';
import type { RequestSpec, Res } from '../http.ts';
import { expectProblem, show } from '../expect.ts';
import { randomId } from './endpoints.ts';

const req = (ctx: Ctx, spec: RequestSpec): Promise<Res> => ctx.client.request({ ...spec, expect429: true });

/** RateLimit-* as numbers; fails the check if any is missing or not a non-negative integer. */
function limits(res: Res): { limit: number; remaining: number; reset: number } {
  const out = { limit: NaN, remaining: NaN, reset: NaN };
  for (const k of ['limit', 'remaining', 'reset'] as const) {
    const raw = res.headers[`ratelimit-${k}`];
    assert.ok(raw !== undefined, `RateLimit-${k[0]!.toUpperCase()}${k.slice(1)} missing: ${show(res)}`);
    assert.match(raw, /^\d+$/, `RateLimit-${k} must be a non-negative integer, got "${raw}"`);
    out[k] = Number(raw);
  }
  assert.ok(out.remaining <= out.limit, `RateLimit-Remaining ${out.remaining} exceeds RateLimit-Limit ${out.limit}`);
  return out;
}

interface Spent {
  readonly sent: number;
  readonly last: Res;
}

/** Sends `make()` until a 429 or `cap` requests; stops early on anything unexpected. */
async function hammer(ctx: Ctx, cap: number, make: () => RequestSpec, expected: number): Promise<Spent> {
  let last: Res | undefined;
  for (let sent = 1; sent <= cap; sent++) {
    last = await req(ctx, make());
    if (last.status === 429) return { sent, last };
    assert.equal(last.status, expected, `request ${sent} answered ${last.status} before any 429${last.status === 403 ? ' (was this client blocked? brute-force protection on the target fires before the rate limit)' : ''}: ${show(last)}`);
  }
  assert.fail(`no 429 after ${cap} requests (--rate-limit-cap): ${last ? show(last) : ''}`);
}

function budget(ctx: Ctx): Promise<{ limit: number; remaining: number }> {
  return ctx.memo('rl-budget', async () => {
    const res = await req(ctx, { path: '/status', token: ctx.anyKey() });
    if (res.status === 429) return { limit: limits(res).limit, remaining: 0 };
    assert.equal(res.status, 200, show(res));
    return limits(res);
  });
}

/** The key hammer, once per run. */
function spent(ctx: Ctx): Promise<Spent> {
  return ctx.memo('rl-spent', async () => {
    const b = await budget(ctx);
    const cap = ctx.options.rateLimitCap;
    if (b.remaining + 1 > cap) skip(`the target's remaining budget (${b.remaining}) exceeds --rate-limit-cap ${cap}`);
    const slack = 2 + Math.ceil(b.limit * 0.1); // a sliding window frees a little while we hammer
    const r = await hammer(ctx, Math.min(cap, b.remaining + 1 + slack), () => ({ path: '/status', token: ctx.anyKey() }), 200);
    ctx.note(`429 after ${r.sent} requests (remaining was ${b.remaining} of ${b.limit})`);
    return r;
  });
}

export const rateLimit: Group = {
  name: 'rate-limit',
  checks: [
    check('successful answers carry RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset', async (ctx) => {
      const b = await budget(ctx);
      ctx.note(`limit ${b.limit}, remaining ${b.remaining}`);
    }),
    check('hammering GET /status with one key meets 429 within the advertised budget', async (ctx) => {
      await spent(ctx);
    }, 60_000),
    check('the 429 is a problem with Retry-After and RateLimit-* headers, Remaining 0', async (ctx) => {
      const { last } = await spent(ctx);
      expectProblem(last, 429);
      assert.match(last.headers['retry-after'] ?? '', /^\d+$/, `Retry-After must be delta-seconds, got "${last.headers['retry-after'] ?? ''}"`);
      assert.equal(limits(last).remaining, 0, 'RateLimit-Remaining must be 0 on a 429');
    }),
    check('with the budget spent, an unauthenticated request gets 429, not 401 (limit before credential)', async (ctx) => {
      await spent(ctx);
      expectProblem(await req(ctx, { path: '/status' }), 429);
    }),
    check('a forged X-Forwarded-For does not escape the spent budget', async (ctx) => {
      if (ctx.options.trustedProxy) skip('the target trusts this client as a proxy (JARVIS_TEST_TRUSTED_PROXY=1)');
      await spent(ctx);
      for (const ip of ['198.51.100.7', '203.0.113.9, 198.51.100.8']) {
        // no credential: only the IP budget applies, so a honoured forgery would show as 401
        const res = await req(ctx, { path: '/status', headers: { 'x-forwarded-for': ip, 'x-real-ip': ip.split(',')[0]!, forwarded: `for=${ip.split(',')[0]!}` } });
        expectProblem(res, 429);
      }
    }),
    check('/health, /ready and /openapi.json are not rate limited', async (ctx) => {
      await spent(ctx);
      for (const path of ['/health', '/ready', '/openapi.json', '/health', '/health']) {
        const res = await req(ctx, { path });
        assert.notEqual(res.status, 429, `${path} must never be limited: ${show(res)}`);
      }
    }),
    check('the stream tier is counted apart: POST /v1/audio/speech still reaches validation (400)', async (ctx) => {
      const key = ctx.key('full');
      await spent(ctx);
      const res = await req(ctx, { method: 'POST', path: '/v1/audio/speech', token: key, body: { model: 'tts-1', input: 'hello', voice: 'alloy', suite_unknown: true } });
      assert.equal(res.status, 400, `expected the validation's 400 (stream budget untouched): ${show(res)}`);
    }),
    check('Retry-After is truthful: after waiting it, the key is admitted again', async (ctx) => {
      const { last } = await spent(ctx);
      const wait = Number(last.headers['retry-after']);
      if (!Number.isFinite(wait) || wait > 65) skip(`Retry-After is ${last.headers['retry-after'] ?? 'missing'}; the suite waits at most 65 s`);
      await new Promise((r) => setTimeout(r, wait * 1000 + 500));
      const res = await req(ctx, { path: '/status', token: ctx.anyKey() });
      assert.equal(res.status, 200, `still limited ${wait} s later: ${show(res)}`);
    }, 75_000),
    check('failed authentications count toward the client IP\'s budget (bad tokens meet 429)', async (ctx) => {
      const b = await budget(ctx);
      const cap = Math.min(ctx.options.rateLimitCap, b.limit + 2 + Math.ceil(b.limit * 0.1));
      if (b.limit + 1 > ctx.options.rateLimitCap) skip(`the target's limit (${b.limit}) exceeds --rate-limit-cap`);
      const bad = (): RequestSpec => ({ path: '/status', token: `suite-not-a-key-${randomId()}` });
      // first let the window free at least one slot, so a 401 is seen before the 429
      let first = await req(ctx, bad());
      for (let waited = 0; first.status === 429 && waited < 8000; waited += 1000) {
        await new Promise((r) => setTimeout(r, 1000));
        first = await req(ctx, bad());
      }
      if (first.status === 429) skip('the budget stayed spent for 8 s; cannot show failed authentications counting (run with --only rate-limit on a fresh target)');
      assert.equal(first.status, 401, show(first));
      const r = await hammer(ctx, cap, bad, 401);
      ctx.note(`429 after ${r.sent + 1} failed authentications`);
      expectProblem(r.last, 429);
    }, 60_000),
  ],
};
