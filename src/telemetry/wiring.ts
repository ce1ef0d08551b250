/**
 * Connects running components to the metrics without them knowing about prom-client.
 * Business metrics come from the events the code publishes (`instrumentPublisher`, wrapped
 * once around the publisher in the composition root); gauges of live state are sampled at
 * scrape time from the component that owns the number (the `track*` functions below).
 */
import type { JarvisMetrics } from './metrics.ts';

export { recordEvent } from './event-metrics.ts';
export { instrumentPublisher, type InstrumentOptions } from './publisher-metrics.ts';

/** Projector lag of the in-process live views, sampled at scrape time. */
export function trackLiveState(m: JarvisMetrics, live: { lagEvents(): number; caughtUp(): boolean }, projection = 'live'): void {
  m.projectorLagEvents.track(() => [[{ projection }, live.lagEvents()]]);
  m.projectionRebuildProgress.track(() => [[{ projection }, live.caughtUp() ? 1 : 0]]);
}

/** The speech queue, sampled at scrape time from the TTS service's status. */
export function trackTtsQueue(m: JarvisMetrics, queue: () => { readonly active: number; readonly waiting: number; readonly max: number }): void {
  m.ttsQueueDepth.track(() => queue().waiting);
  m.ttsQueueCapacity.track(() => queue().max);
  m.ttsActiveJobs.track(() => queue().active);
}

/** What trackProjector reads from a running projector (src/projector/projector.ts). */
export interface ProjectorProbe {
  lag(): { readonly events: number; readonly seconds: number };
  stats(): { readonly applied: number };
  isReady(): boolean;
}

/**
 * Projector lag (events and seconds), applied events and readiness, sampled at scrape time.
 * The applied counter advances by the difference since the last scrape (it shows one scrape
 * later than the lag; counters cannot be set).
 */
export function trackProjector(m: JarvisMetrics, projector: ProjectorProbe, projection = 'projector'): void {
  let applied = projector.stats().applied;
  m.projectorLagEvents.track(() => [[{ projection }, projector.lag().events]]);
  m.projectorLagSeconds.track(() => {
    const now = projector.stats().applied;
    if (now > applied) m.projectorEventsApplied.inc({ projection }, now - applied);
    applied = now;
    return [[{ projection }, projector.lag().seconds]];
  });
  m.projectionRebuildProgress.track(() => [[{ projection }, projector.isReady() ? 1 : 0]]);
  m.projectorEventsApplied.inc({ projection }, 0);
}
