/**
 * Thin typed wrappers over prom-client metrics. Why wrap: label values get TypeScript unions
 * (bounded by construction), histograms take the same call whether or not exemplars are on
 * (prom-client changes `observe`'s signature when they are), and gauges can be sampled at
 * scrape time from the component that owns the number (`track`), so nobody forgets to update one.
 */
import { trace } from '@opentelemetry/api';
import { Counter, Gauge, Histogram, type Aggregator, type Registry } from 'prom-client';
import { EXEMPLAR_TRACE_ID } from './names.ts';

/** Label values for one metric: every key required, every value from its closed set. */
export type Labels = Record<string, string>;
type NoLabels = Record<string, never>;

export interface CounterHandle<L extends Labels = NoLabels> {
  inc(labels: L, value?: number): void;
}

export interface GaugeHandle<L extends Labels = NoLabels> {
  set(labels: L, value: number): void;
  inc(labels: L, value?: number): void;
  dec(labels: L, value?: number): void;
  /**
   * Samples the value at every scrape instead of being pushed. `sample` returns a number
   * (unlabelled gauge) or the labelled values. A throwing sampler leaves the gauge as it was.
   */
  track(sample: () => number | ReadonlyArray<readonly [L, number]>): void;
}

export interface HistogramHandle<L extends Labels = NoLabels> {
  /** Records `seconds`; the active span's trace id becomes the exemplar when exemplars are on. */
  observe(labels: L, seconds: number, traceId?: string): void;
  /** Starts a timer; call the result (optionally with more labels) to record the elapsed time. */
  startTimer(labels: L): (more?: Partial<L>) => number;
}

interface Spec<L extends Labels> {
  readonly registry: Registry;
  readonly name: string;
  readonly help: string;
  readonly labels: ReadonlyArray<keyof L & string>;
  /** How the cluster primary combines workers' values (prom-client AggregatorRegistry). */
  readonly aggregator?: Aggregator;
}

export function counter<L extends Labels = NoLabels>(spec: Spec<L>): CounterHandle<L> {
  const c = new Counter({ name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [spec.registry], aggregator: spec.aggregator ?? 'sum' });
  return { inc: (labels, value = 1) => c.inc(labels, value) };
}

export function gauge<L extends Labels = NoLabels>(spec: Spec<L>): GaugeHandle<L> {
  const samplers: Array<() => number | ReadonlyArray<readonly [L, number]>> = [];
  const g: Gauge = new Gauge({
    name: spec.name,
    help: spec.help,
    labelNames: [...spec.labels],
    registers: [spec.registry],
    aggregator: spec.aggregator ?? 'sum',
    collect() {
      for (const sample of samplers) {
        try {
          const v = sample();
          if (typeof v === 'number') g.set(v);
          else for (const [labels, value] of v) g.set(labels, value);
        } catch {
          // A failing sampler must not break the scrape; the last value stays.
        }
      }
    },
  });
  return {
    set: (labels, value) => g.set(labels, value),
    inc: (labels, value = 1) => g.inc(labels, value),
    dec: (labels, value = 1) => g.dec(labels, value),
    track: (sample) => {
      samplers.push(sample);
    },
  };
}

/** The trace id of the active, sampled span, if any (for exemplars). */
function activeTraceId(): string | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && (ctx.traceFlags & 1) === 1 ? ctx.traceId : undefined;
}

export function histogram<L extends Labels = NoLabels>(spec: Spec<L> & { buckets: readonly number[]; exemplars: boolean }): HistogramHandle<L> {
  // Typed loosely inside: the wrapper's L already constrains callers.
  const h = new Histogram<string>({
    name: spec.name,
    help: spec.help,
    labelNames: [...spec.labels],
    buckets: [...spec.buckets],
    registers: [spec.registry],
    aggregator: spec.aggregator ?? 'sum',
    enableExemplars: spec.exemplars,
  });
  const observe = (labels: L, seconds: number, traceId?: string): void => {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    if (!spec.exemplars) {
      h.observe(labels, seconds);
      return;
    }
    const id = traceId ?? activeTraceId();
    const exemplarLabels: Record<string, string> = id ? { [EXEMPLAR_TRACE_ID]: id } : {};
    h.observe({ labels, value: seconds, exemplarLabels });
  };
  return {
    observe,
    startTimer(labels) {
      const start = process.hrtime.bigint();
      return (more) => {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        observe({ ...labels, ...more } as L, seconds);
        return seconds;
      };
    },
  };
}
