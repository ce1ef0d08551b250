/**
 * Exposes a runner's lag and progress through the project's metrics (src/telemetry/metrics.ts):
 * gauges sampled at scrape time, and the applied-events counter fed by the runner's `onApplied`.
 */
import type { JarvisMetrics } from '../telemetry/metrics.ts';
import type { ProjectionRunner } from '../projections/runner.ts';

export type RunnerMetrics = Pick<JarvisMetrics, 'projectorLagEvents' | 'projectorLagSeconds' | 'projectorEventsApplied' | 'projectionRebuildProgress'>;

/** The `onApplied` hook for a runner labelled `projection`. */
export function appliedCounter(metrics: RunnerMetrics, projection: string): (count: number) => void {
  return (count) => {
    if (count > 0) metrics.projectorEventsApplied.inc({ projection }, count);
  };
}

/** Samples `runner`'s lag and build progress at every scrape. */
export function trackRunner(metrics: RunnerMetrics, projection: string, runner: ProjectionRunner): void {
  const labels = { projection };
  metrics.projectorLagEvents.track(() => [[labels, runner.lag().events]]);
  metrics.projectorLagSeconds.track(() => [[labels, runner.lag().seconds]]);
  metrics.projectionRebuildProgress.track(() => {
    if (runner.isReady()) return [[labels, 1]];
    const { events } = runner.lag();
    const applied = runner.stats.applied;
    return [[labels, applied + events === 0 ? 0 : applied / (applied + events)]];
  });
}
