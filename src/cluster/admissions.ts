/**
 * Exact rate limits across the workers of one instance (JARVIS_WORKERS > 1). Each worker's own
 * limiter only learns of its siblings' admissions through the log, tens of milliseconds later:
 * 200 concurrent requests at 60/min on two workers admitted 81. So in a cluster the primary
 * counts this instance's admissions: a worker sends its checks, batched per turn of its event
 * loop, with what other instances admitted (from its projected counters), and the primary's
 * limiter answers them in arrival order — one count for the instance, as one process has.
 *
 * When the log is unreachable a worker says so with its checks, and the primary stops adding
 * other instances' counts, as a single process does. When the primary does not answer within
 * `timeoutMs`, the worker decides alone on its share (1/workers) of each limit: never open.
 */
import type { Cluster } from 'node:cluster';
import type { Rate } from '../config/parse.ts';
import { createLimiter, type Admissions, type RateVerdict, type RemoteCounts, type Scope, type Tier } from '../ratelimit/limiter.ts';
import { answerCalls, primaryCalls } from './calls.ts';
import type { SiblingChannel } from './siblings.ts';

const TAG = 'jarvis.admissions';

interface Check {
  readonly tier: Tier;
  readonly scope: Scope;
  readonly id: string;
  /** Admissions by other instances in the window, as this worker's projection counts them. */
  readonly others: number;
}

interface Batch {
  readonly degraded: boolean;
  readonly checks: readonly Check[];
}

/** A worker's limiter: the primary decides; `fallback` (this worker's share) when it does not answer. */
export function clusterLimiter(channel: SiblingChannel, opts: { rates: Record<Tier, Rate>; remote: RemoteCounts; workers: number; timeoutMs?: number }): Admissions {
  const fallback = createLimiter(opts.rates, { count: () => 0 });
  fallback.setDegraded(1 / Math.max(1, opts.workers));
  let degraded = false;
  // A verdict that comes too late is dropped: the primary counted one admission more than was
  // made, which only errs on the closed side.
  const primary = primaryCalls<Batch, RateVerdict[]>(channel, TAG, { timeoutMs: opts.timeoutMs ?? 1000 });
  let queued: { check: Check; nowMs: number; resolve(v: RateVerdict): void }[] = [];

  const flush = async () => {
    const items = queued;
    queued = [];
    const verdicts = await primary.call({ degraded, checks: items.map((q) => q.check) });
    items.forEach((q, i) => q.resolve(verdicts?.[i] ?? fallback.check(q.check.tier, q.check.scope, q.check.id, q.nowMs)));
  };

  return {
    check(tier, scope, id, nowMs) {
      const others = degraded ? 0 : opts.remote.count(tier, scope, id, nowMs, opts.rates[tier].windowMs);
      return new Promise((resolve) => {
        if (queued.length === 0) setImmediate(() => void flush());
        queued.push({ check: { tier, scope, id, others }, nowMs, resolve });
      });
    },
    setDegraded(share) {
      degraded = share !== null;
    },
    get degraded() {
      return degraded;
    },
    sweep: (nowMs) => fallback.sweep(nowMs),
    size: () => fallback.size(),
  };
}

/** The primary's count of this instance's admissions, answering the workers' batches in arrival order. */
export function keepAdmissions(cluster: Cluster, rates: Record<Tier, Rate>): void {
  let others = 0;
  const limiter = createLimiter(rates, { count: () => others });
  const sweep = setInterval(() => limiter.sweep(Date.now()), 10_000);
  sweep.unref();
  answerCalls<Batch, RateVerdict[]>(cluster, TAG, (_worker, batch) => {
    // Degraded: other instances' counts are out of reach; this instance's own are still exact.
    limiter.setDegraded(batch.degraded ? 1 : null);
    const now = Date.now();
    return batch.checks.map((c) => {
      others = c.others;
      return limiter.check(c.tier, c.scope, c.id, now);
    });
  });
}
