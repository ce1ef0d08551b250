/**
 * slow: clients that trickle their headers one byte a second (slowloris) are disconnected once
 * the 20 s header timeout passes — the suite waits at most 26 s — and the server keeps answering
 * others meanwhile. Opt out with --skip slow.
 */
import assert from 'node:assert/strict';
import { check, type Ctx, type Group } from '../harness.ts';
import type { RawResult } from '../raw.ts';
import { hostHeader } from '../raw.ts';

const SLOW_CLIENTS = 10;
const BOUND_MS = 26_000;

interface SlowRun {
  readonly results: RawResult[];
  readonly healthStatus: number | undefined;
  readonly healthMs: number | undefined;
}

function slowRun(ctx: Ctx): Promise<SlowRun> {
  return ctx.memo('slow-run', async () => {
    const host = hostHeader(ctx.client.options.url);
    const slowClient = (): Promise<RawResult> => ctx.client.raw(async (w) => {
      await w.write(`GET /health HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `);
      while (!w.stopped) {
        await w.write('a');
        await w.sleep(1000);
      }
    }, { timeoutMs: BOUND_MS, waitForClose: true });
    const all = Array.from({ length: SLOW_CLIENTS }, slowClient);
    await new Promise((r) => setTimeout(r, 3000));
    let healthStatus: number | undefined;
    let healthMs: number | undefined;
    try {
      const res = await ctx.client.request({ path: '/health', timeoutMs: 5000 });
      healthStatus = res.status;
      healthMs = res.durationMs;
    } catch {
      healthStatus = undefined;
    }
    const results = await Promise.all(all);
    return { results, healthStatus, healthMs };
  });
}

export const slow: Group = {
  name: 'slow',
  checks: [
    check(`clients sending headers a byte a second are disconnected within ${BOUND_MS / 1000} s`, async (ctx) => {
      const run = await slowRun(ctx);
      const open = run.results.filter((r) => r.timedOut);
      const times = run.results.map((r) => r.answeredAfterMs ?? r.elapsedMs).sort((a, b) => a - b);
      ctx.note(`closed after ${times[0]}–${times.at(-1)} ms`);
      assert.equal(open.length, 0, `${open.length} of ${run.results.length} slow clients were still connected after ${BOUND_MS} ms`);
      for (const r of run.results) {
        if (r.response) assert.ok(r.response.status === 408 || r.response.status === 400, `a slow client got ${r.response.status} instead of a disconnect or 408`);
      }
    }, BOUND_MS + 10_000),
    check('the server keeps answering /health while slow clients hold connections', async (ctx) => {
      const run = await slowRun(ctx);
      assert.equal(run.healthStatus, 200, `GET /health during the slow clients answered ${run.healthStatus ?? 'nothing within 5 s'}`);
      ctx.note(`/health took ${run.healthMs} ms meanwhile`);
    }, BOUND_MS + 10_000),
  ],
};
