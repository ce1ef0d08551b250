/**
 * Rate-limit counters from `jarvis.http` and `jarvis.auth`, for the sliding-window limiter.
 *
 * - Every RequestCompleted with a tier, except the 429s the limiter itself answered, counts once
 *   for its client IP and once for its principal (when there is one), in its tier.
 * - Counts are kept per instance (`data.instance`): an enforcing instance counts its own requests
 *   locally and exactly, and asks here only for the others' (`exclude`). Its own views need not
 *   count its own requests at all (`countedElsewhere`): then a request this instance served costs
 *   its views nothing.
 * - Failed authentications (AuthDecisionRecorded denied at authentication) are kept apart, per
 *   client IP and per deciding instance (`data.instance`; the envelope's `source` for events
 *   written before that field existed): a 401 on a limited route also
 *   produces a RequestCompleted, which already counts toward that IP's budget of the route's tier,
 *   so adding `authFailuresInWindow` as well would count it twice. It is there for a limiter that
 *   charges failures to the api tier whatever the route, and for dashboards.
 * Buckets are `bucketMs` wide and kept for the largest window; a window sum includes every
 * bucket the window overlaps, so it can over-count by one bucket at the old edge, never under.
 */
import { AUTH_TOPIC, AuthDecisionRecorded, HTTP_TOPIC, RequestCompleted, type Envelope } from '../../../events/index.ts';
import { ms, type EventOf } from '../events.ts';
import type { Projection } from '../types.ts';
import { addTo, newCounter, pruneBefore, sumFrom, type Counter } from './counter.ts';
import { rebucket, toJSON, type CounterJson, type RateJson } from './snapshot.ts';

export { toJSON } from './snapshot.ts';

export type Tier = 'api' | 'stream';
export type Scope = 'ip' | 'principal';

/** instance → counter. */
export type PerInstance = Map<string, Counter>;

export interface RateCountersState {
  readonly bucketMs: number;
  /** Buckets older than this many before the newest are dropped. */
  readonly horizonBuckets: number;
  /** `tier \x01 scope \x01 id` → per-instance counters. */
  readonly series: Map<string, PerInstance>;
  /** client IP → per-instance failed authentications. */
  readonly authFailures: Map<string, PerInstance>;
  clockMs: number;
  nextSweepMs: number;
}

export interface RateCountersOptions {
  /** The largest window any limit uses (JARVIS_RATE_LIMIT_API / _STREAM), in ms. */
  readonly maxWindowMs: number;
  /** Bucket width; default 1 s. */
  readonly bucketMs?: number;
  /** Instances whose requests are not counted here (the enforcing instance and its workers count their own). */
  readonly countedElsewhere?: (instance: string) => boolean;
}

const SEP = '\x01';
type RateEvent = EventOf<typeof RequestCompleted> | EventOf<typeof AuthDecisionRecorded>;

function seriesKey(tier: Tier, scope: Scope, id: string): string {
  return tier + SEP + scope + SEP + id;
}

function bump(map: Map<string, PerInstance>, key: string, instance: string, bucket: number): void {
  let per = map.get(key);
  if (!per) map.set(key, (per = new Map()));
  let counter = per.get(instance);
  if (!counter) per.set(instance, (counter = newCounter()));
  addTo(counter, bucket);
}

function prune(map: Map<string, PerInstance>, fromBucket: number): void {
  for (const [key, per] of map) {
    for (const [instance, counter] of per) if (pruneBefore(counter, fromBucket)) per.delete(instance);
    if (per.size === 0) map.delete(key);
  }
}

/** Which instances to leave out: one by name, or those a predicate picks (the workers of a cluster). */
export type Exclude = string | ((instance: string) => boolean) | undefined;

function sum(per: PerInstance | undefined, fromBucket: number, exclude: Exclude): number {
  if (!per) return 0;
  let n = 0;
  for (const [instance, counter] of per) {
    if (typeof exclude === 'function' ? exclude(instance) : instance === exclude) continue;
    n += sumFrom(counter, fromBucket);
  }
  return n;
}

/** The events that count: limited requests (not the limiter's own 429s) and failed authentications. */
function counts(event: Envelope): boolean {
  const e = event as RateEvent;
  if (e.type === RequestCompleted.type) return e.data.tier !== null && e.data.status !== 429;
  if (e.type === AuthDecisionRecorded.type) return e.data.stage === 'authentication' && e.data.outcome === 'denied';
  return false;
}

/** Builds the counters projection for the configured windows. */
export function rateCountersProjection(opts: RateCountersOptions): Projection<RateCountersState> {
  const bucketMs = opts.bucketMs ?? 1000;
  const horizonBuckets = Math.ceil(opts.maxWindowMs / bucketMs) + 1;

  const elsewhere = opts.countedElsewhere;
  const accepts = elsewhere ? (e: Envelope) => counts(e) && !(e.type === RequestCompleted.type && elsewhere((e as EventOf<typeof RequestCompleted>).data.instance)) : counts;

  function initialState(): RateCountersState {
    return { bucketMs, horizonBuckets, series: new Map(), authFailures: new Map(), clockMs: 0, nextSweepMs: 0 };
  }

  function evolve(state: RateCountersState, event: Envelope): RateCountersState {
    if (!accepts(event)) return state;
    const e = event as RateEvent;
    let t: number;
    if (e.type === RequestCompleted.type) {
      const d = e.data;
      const tier = d.tier!; // counts() let only limited requests through
      t = ms(e.time);
      const bucket = Math.floor(t / bucketMs);
      bump(state.series, seriesKey(tier, 'ip', d.ip), d.instance, bucket);
      if (d.principal !== null) bump(state.series, seriesKey(tier, 'principal', d.principal), d.instance, bucket);
    } else {
      t = ms(e.time);
      bump(state.authFailures, e.data.ip, e.data.instance ?? e.source, Math.floor(t / bucketMs));
    }
    if (t > state.clockMs) state.clockMs = t;
    if (state.clockMs >= state.nextSweepMs) {
      const from = Math.floor(state.clockMs / bucketMs) - horizonBuckets;
      prune(state.series, from);
      prune(state.authFailures, from);
      state.nextSweepMs = state.clockMs + horizonBuckets * bucketMs;
    }
    return state;
  }

  /** Reads a snapshot; one taken with another bucket width is re-bucketed, the horizon is today's. */
  function fromJSON(json: unknown): RateCountersState {
    const j = json as RateJson;
    const scale = j.bucketMs / bucketMs;
    const read = (entries: [string, CounterJson[]][]) =>
      new Map(entries.map(([k, cs]) => [k, new Map(cs.map(([i, b, c]): [string, Counter] => [i, scale === 1 ? { b, c } : rebucket(b, c, scale)]))]));
    return { bucketMs, horizonBuckets, series: read(j.series), authFailures: read(j.authFailures), clockMs: j.clockMs, nextSweepMs: j.clockMs };
  }

  return { name: 'ratelimit', topics: [HTTP_TOPIC, AUTH_TOPIC], initialState, evolve, accepts, toJSON, fromJSON };
}


function fromBucket(state: RateCountersState, nowMs: number, windowMs: number): number {
  return Math.floor((nowMs - windowMs) / state.bucketMs);
}

/** Requests of `id` (an IP or a principal) in `tier` within `(nowMs - windowMs, nowMs]`, other instances only when `exclude` is given. */
export function countInWindow(state: RateCountersState, tier: Tier, scope: Scope, id: string, nowMs: number, windowMs: number, exclude?: Exclude): number {
  return sum(state.series.get(seriesKey(tier, scope, id)), fromBucket(state, nowMs, windowMs), exclude);
}

/** Failed authentications from `ip` within the window, leaving out the instances `exclude` names (as countInWindow). */
export function authFailuresInWindow(state: RateCountersState, ip: string, nowMs: number, windowMs: number, exclude?: Exclude): number {
  return sum(state.authFailures.get(ip), fromBucket(state, nowMs, windowMs), exclude);
}
