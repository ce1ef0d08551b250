/**
 * Starts the series alerts and dashboards rely on at 0. A counter that first appears at 1 has
 * no increase for rate() or increase() to see, so the first brute-force detection would be
 * missed; and a panel over an absent series shows "no data" instead of 0.
 */
import { SECURITY_EVENT_KINDS, type SecurityEventType } from '../../events/security.ts';
import type { CounterHandle } from './handles.ts';
import { securityTypeLabel } from './labels.ts';
import type { JarvisMetrics, MetricsOptions } from './metric-types.ts';

/** Sets every known label combination of the alerting counters (and given gauges) to its idle value. */
export function initialiseSeries(m: JarvisMetrics, securityEvents: CounterHandle<{ type: string; severity: string }>, o: MetricsOptions): void {
  for (const [type, kind] of Object.entries(SECURITY_EVENT_KINDS)) securityEvents.inc({ type: securityTypeLabel(type as SecurityEventType), severity: kind.severity }, 0);
  for (const tier of ['api', 'stream'] as const) for (const scope of ['ip', 'principal'] as const) m.rateLimitRejections.inc({ tier, scope }, 0);
  for (const engine of o.ttsEngines ?? []) {
    for (const outcome of ['completed', 'failed', 'cancelled', 'rejected'] as const) m.ttsJobs.inc({ engine, outcome }, 0);
  }
  for (const provider of o.providers ?? []) {
    for (const outcome of ['success', 'error', 'timeout', 'short_circuited'] as const) m.providerRequests.inc({ provider, outcome }, 0);
    m.setBreakerState(provider, 'closed');
  }
  for (const projection of o.projections ?? []) {
    m.projectorEventsApplied.inc({ projection }, 0);
    m.projectionRebuildProgress.set({ projection }, 1);
  }
  for (const log of ['embedded', 'kafka'] as const) {
    for (const reason of ['outbox_full', 'log_unavailable', 'timeout', 'other'] as const) m.eventPublishErrors.inc({ log, reason }, 0);
  }
}
