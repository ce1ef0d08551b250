/** Event pipeline: publishing through the outbox, and projections catching up. */
import { METRIC } from '../src/telemetry/names.ts';
import { quantile, rate, series } from './lib/selectors.ts';
import type { DashboardSpec } from './lib/spec.ts';

export const eventPipeline: DashboardSpec = {
  uid: 'jarvis-event-pipeline',
  title: 'Jarvis / Event pipeline',
  description: 'The event log seen from both ends: publish rate, latency and errors through the outbox; projector lag and rebuilds.',
  tags: ['eventlog'],
  rows: [
    {
      title: 'Publishing',
      panels: [
        { title: 'Publish rate by topic', kind: 'timeseries', unit: 'short', tells: 'Events per second made durable in the log, per topic.', queries: [{ expr: `sum by (topic) (${rate(`${METRIC.eventPublishDuration}_count`)})`, legend: '{{topic}}' }] },
        {
          title: 'Publish latency',
          kind: 'timeseries',
          unit: 's',
          tells: 'From publish() to durable in the log, per log kind: rises when the broker slows down.',
          queries: [
            { expr: quantile(0.5, METRIC.eventPublishDuration, ['log']), legend: 'p50 {{log}}' },
            { expr: quantile(0.99, METRIC.eventPublishDuration, ['log']), legend: 'p99 {{log}}' },
          ],
        },
        { title: 'Publish errors by reason', kind: 'timeseries', unit: 'short', tells: 'Failed publishes or deliveries per second: outbox_full means client-visible 503s.', queries: [{ expr: `sum by (log, reason) (${rate(METRIC.eventPublishErrors)})`, legend: '{{log}} {{reason}}' }] },
        { title: 'Outbox depth', kind: 'timeseries', unit: 'short', tells: 'Events waiting for delivery per instance; growth means the log (Kafka) is not taking them.', queries: [{ expr: `max by (instance) (${series(METRIC.outboxDepth)})`, legend: '{{instance}}' }] },
        {
          title: 'Outbox fill',
          kind: 'stat',
          unit: 'percentunit',
          width: 6,
          tells: 'Fullest outbox as a share of its capacity; at 100 % publishing refuses (503).',
          thresholds: [[null, 'green'], [0.5, 'orange'], [0.8, 'red']],
          queries: [{ expr: `max(${series(METRIC.outboxDepth)} / ${series(METRIC.outboxCapacity)})` }],
        },
      ],
    },
    {
      title: 'Projections',
      panels: [
        { title: 'Projector lag (seconds)', kind: 'timeseries', unit: 's', tells: 'Age of the oldest unapplied event per projection: how late a revocation or block takes effect.', queries: [{ expr: `max by (projection) (${series(METRIC.projectorLagSeconds)})`, legend: '{{projection}}' }] },
        { title: 'Projector lag (events)', kind: 'timeseries', unit: 'short', tells: 'Unapplied events per projection.', queries: [{ expr: `max by (projection) (${series(METRIC.projectorLagEvents)})`, legend: '{{projection}}' }] },
        { title: 'Events applied per second', kind: 'timeseries', unit: 'short', tells: 'Projection throughput; flat at zero with lag rising means a stuck projection.', queries: [{ expr: `sum by (projection) (${rate(METRIC.projectorEventsApplied)})`, legend: '{{projection}}' }] },
        { title: 'Rebuild progress', kind: 'timeseries', unit: 'percentunit', min: 0, max: 1, tells: 'Progress of projection rebuilds (1 when not rebuilding).', queries: [{ expr: `min by (projection) (${series(METRIC.projectionRebuildProgress)})`, legend: '{{projection}}' }] },
      ],
    },
  ],
};
