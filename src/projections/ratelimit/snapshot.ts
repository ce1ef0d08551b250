/** The rate counters' snapshot form: canonical (pruned at the state's clock, sorted) and compact. */
import { sortedEntries } from '../events.ts';
import { newCounter, type Counter } from './counter.ts';
import type { PerInstance, RateCountersState } from './index.ts';

export type CounterJson = [instance: string, buckets: number[], counts: number[]];
export interface RateJson {
  bucketMs: number;
  horizonBuckets: number;
  clockMs: number;
  series: [string, CounterJson[]][];
  authFailures: [string, CounterJson[]][];
}

export function mapToJson(map: Map<string, PerInstance>, fromBucket: number): [string, CounterJson[]][] {
  const out: [string, CounterJson[]][] = [];
  for (const [key, per] of sortedEntries(map)) {
    const counters: CounterJson[] = [];
    for (const [instance, counter] of sortedEntries(per)) {
      const i = counter.b.findIndex((b) => b >= fromBucket);
      if (i >= 0) counters.push([instance, counter.b.slice(i), counter.c.slice(i)]);
    }
    if (counters.length > 0) out.push([key, counters]);
  }
  return out;
}

/** Canonical JSON: buckets older than the horizon at the state's clock are left out; keys sorted. */
export function toJSON(state: RateCountersState): RateJson {
  const from = Math.floor(state.clockMs / state.bucketMs) - state.horizonBuckets;
  return { bucketMs: state.bucketMs, horizonBuckets: state.horizonBuckets, clockMs: state.clockMs, series: mapToJson(state.series, from), authFailures: mapToJson(state.authFailures, from) };
}

/** Merges buckets into wider (or narrower) ones when the bucket width changed between runs. */
export function rebucket(b: number[], c: number[], scale: number): Counter {
  const out = newCounter();
  for (let i = 0; i < b.length; i++) {
    const nb = Math.floor(b[i]! * scale);
    const last = out.b.length - 1;
    if (last >= 0 && out.b[last] === nb) out.c[last]! += c[i]!;
    else {
      out.b.push(nb);
      out.c.push(c[i]!);
    }
  }
  return out;
}
