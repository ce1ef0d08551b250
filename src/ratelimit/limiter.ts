/**
 * The rate-limit verdict, per tier, per client IP and per principal (whichever runs out
 * first). This instance's admissions are counted here, exactly; other instances' come from
 * the rate-limit projection (`RemoteCounts`). When the shared log is unavailable, the limiter
 * does not fail open: it enforces only this instance's share of each limit.
 */
import type { Rate } from '../config/parse.ts';
import { SlidingLog } from './window.ts';

export type Tier = 'api' | 'stream';
export type Scope = 'ip' | 'principal';

/** Admissions counted by other instances, from the projected counters. */
export interface RemoteCounts {
  count(tier: Tier, scope: Scope, id: string, nowMs: number, windowMs: number): number;
}

export interface RateVerdict {
  readonly allowed: boolean;
  readonly tier: Tier;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window has room again (for RateLimit-Reset / Retry-After). */
  readonly resetSeconds: number;
  readonly windowSeconds: number;
  /** Which budget ran out, when refused. */
  readonly exhausted: Scope | null;
}

/** What the middleware asks: a verdict at once (one process) or soon (a cluster worker asks the primary). */
export interface Admissions {
  check(tier: Tier, scope: Scope, id: string, nowMs: number): RateVerdict | Promise<RateVerdict>;
  /** Enter or leave degraded mode; `share` is this instance's fraction of each limit. */
  setDegraded(share: number | null): void;
  readonly degraded: boolean;
  /** Forgets idle keys; called on a timer. */
  sweep(nowMs: number): void;
  size(): number;
}

/** The limiter that counts: its verdict is immediate. */
export interface Limiter extends Admissions {
  check(tier: Tier, scope: Scope, id: string, nowMs: number): RateVerdict;
}

const MAX_KEYS = 200_000;

export function createLimiter(rates: Record<Tier, Rate>, remote: RemoteCounts): Limiter {
  const logs = new Map<string, SlidingLog>();
  let share: number | null = null;

  function effectiveLimit(rate: Rate): number {
    const full = rate.limit + rate.burst;
    return share === null ? full : Math.max(1, Math.floor(full * share));
  }

  return {
    check(tier, scope, id, nowMs) {
      const rate = rates[tier];
      const limit = effectiveLimit(rate);
      const key = `${tier}|${scope}|${id}`;
      let log = logs.get(key);
      if (!log) {
        if (logs.size >= MAX_KEYS) {
          const oldest = logs.keys().next().value;
          if (oldest !== undefined) logs.delete(oldest);
        }
        log = new SlidingLog(rate.limit + rate.burst);
        logs.set(key, log);
      }
      const local = log.count(nowMs, rate.windowMs);
      const others = share === null ? remote.count(tier, scope, id, nowMs, rate.windowMs) : 0;
      const used = local + others;
      const windowSeconds = Math.ceil(rate.windowMs / 1000);
      const oldest = log.oldest();
      const resetSeconds = oldest === undefined ? windowSeconds : Math.max(1, Math.ceil((oldest + rate.windowMs - nowMs) / 1000));
      if (used >= limit) {
        return { allowed: false, tier, limit, remaining: 0, resetSeconds, windowSeconds, exhausted: scope };
      }
      log.add(nowMs);
      return { allowed: true, tier, limit, remaining: limit - used - 1, resetSeconds, windowSeconds, exhausted: null };
    },
    setDegraded(s) {
      share = s;
    },
    get degraded() {
      return share !== null;
    },
    sweep(nowMs) {
      const longest = Math.max(rates.api.windowMs, rates.stream.windowMs);
      for (const [key, log] of logs) {
        const newest = log.newest();
        if (newest === undefined || newest <= nowMs - longest) logs.delete(key);
      }
    },
    size: () => logs.size,
  };
}

/** Combines two verdicts: the refused one wins, else the one with less room left. */
export function tighter(a: RateVerdict, b: RateVerdict | null): RateVerdict {
  if (!b) return a;
  if (!a.allowed) return a;
  if (!b.allowed) return b;
  return b.remaining < a.remaining ? b : a;
}
