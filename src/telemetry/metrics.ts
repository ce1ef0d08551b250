/**
 * The metrics registry: one factory, `createMetrics()`, builds a prom-client Registry with a
 * typed handle for every metric Jarvis exposes. Components receive the handles they need from
 * the composition root; nothing registers metrics elsewhere, so names stay in names.ts.
 *
 * Cluster aggregation: each worker builds its own registry; the primary asks every worker and
 * combines the values with each metric's aggregator. Counters and histograms sum. Gauges of a
 * process-local quantity (queue depth, in-flight requests, a worker's outbox) sum; gauges of
 * state every worker projects the same way (sessions, blocks, lag) take the max, so four
 * workers do not report four times the sessions.
 */
import { collectDefaultMetrics, Registry, type OpenMetricsContentType } from 'prom-client';
import { SECURITY_EVENT_KINDS } from '../../events/security.ts';
import { counter, gauge, histogram } from './handles.ts';
import { initialiseSeries } from './initial-series.ts';
import { methodLabel, routeLabel, securityTypeLabel, statusClass, type HttpMethodLabel, type StatusClass } from './labels.ts';
import { BUCKETS, type JarvisMetrics, type MetricsOptions } from './metric-types.ts';
import { BREAKER_STATE, METRIC } from './names.ts';

export * from './metric-types.ts';

/** Builds a fresh registry with every Jarvis metric (one per process; tests make their own). */
export function createMetrics(options: MetricsOptions = {}): JarvisMetrics {
  const exemplars = options.exemplars ?? true;
  const registry = new Registry();
  // Exemplars exist only in the OpenMetrics exposition (Prometheus negotiates it when scraping).
  if (exemplars) (registry as unknown as Registry<OpenMetricsContentType>).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const known = options.knownRoutes ? new Set(options.knownRoutes) : undefined;
  const r = { registry };
  const ex = { exemplars };

  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const info = gauge<{ version: string }>({ ...r, name: METRIC.buildInfo, help: 'Always 1; the version label names the running build.', labels: ['version'], aggregator: 'max' });
  info.set({ version: options.version ?? '0.0.0' }, 1);

  const httpLabels = ['method', 'route', 'status_class'] as const;
  const httpRequests = counter<{ method: HttpMethodLabel; route: string; status_class: StatusClass }>({ ...r, name: METRIC.httpRequests, help: 'HTTP requests answered, by method, route template and status class.', labels: httpLabels });
  const httpDuration = histogram<{ method: HttpMethodLabel; route: string; status_class: StatusClass }>({ ...r, ...ex, name: METRIC.httpDuration, help: 'Time from request start to response end, by method, route template and status class.', labels: httpLabels, buckets: BUCKETS.http });
  const breaker = gauge<{ provider: string }>({ ...r, name: METRIC.providerBreakerState, help: 'Circuit breaker per provider: 0 closed, 1 half-open, 2 open (max across workers).', labels: ['provider'], aggregator: 'max' });
  const securityEvents = counter<{ type: string; severity: string }>({ ...r, name: METRIC.securityEvents, help: 'Security events (the SECURITY_EVENT audit stream) by type and severity.', labels: ['type', 'severity'] });
  const perProjection = ['projection'] as const;

  const metrics: JarvisMetrics = {
    registry,
    exemplars,
    observeHttp(o) {
      const labels = { method: methodLabel(o.method), route: routeLabel(o.route, known), status_class: statusClass(o.status) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, o.seconds, o.traceId);
    },
    httpRequests,
    httpDuration,
    httpInFlight: gauge({ ...r, name: METRIC.httpInFlight, help: 'HTTP requests being handled now.', labels: [] }),
    authDecisions: counter({ ...r, name: METRIC.authDecisions, help: 'Authentication and authorization decisions by stage, result, reason and credential kind.', labels: ['stage', 'result', 'reason', 'credential'] }),
    rateLimitRejections: counter({ ...r, name: METRIC.rateLimitRejections, help: 'Requests refused with 429, by tier and by the window (ip or principal) that ran out.', labels: ['tier', 'scope'] }),
    securityEvent(type) {
      securityEvents.inc({ type: securityTypeLabel(type), severity: SECURITY_EVENT_KINDS[type]?.severity ?? 'info' });
    },
    activeSessions: gauge({ ...r, name: METRIC.activeSessions, help: 'JWT sessions neither revoked nor expired.', labels: [], aggregator: 'max' }),
    rateLimitDegraded: gauge({ ...r, name: METRIC.rateLimitDegraded, help: '1 while the event log is unreachable and rate limits are enforced from this instance\'s share alone.', labels: [], aggregator: 'max' }),
    activeIpBlocks: gauge({ ...r, name: METRIC.activeIpBlocks, help: 'IP blocks in force, by where they came from.', labels: ['source'], aggregator: 'max' }),
    ttsJobs: counter({ ...r, name: METRIC.ttsJobs, help: 'Speech-synthesis jobs by engine and outcome (rejected: queue full).', labels: ['engine', 'outcome'] }),
    ttsSynthesisDuration: histogram({ ...r, ...ex, name: METRIC.ttsSynthesisDuration, help: 'Wall time an engine spent synthesizing one job.', labels: ['engine'], buckets: BUCKETS.synthesis }),
    ttsTimeToFirstByte: histogram({ ...r, ...ex, name: METRIC.ttsTimeToFirstByte, help: 'Time from accepting a job to sending its first audio byte.', labels: ['engine'], buckets: BUCKETS.firstByte }),
    ttsAudioSeconds: counter({ ...r, name: METRIC.ttsAudioSeconds, help: 'Seconds of audio produced (real-time factor = synthesis seconds / audio seconds).', labels: ['engine'] }),
    ttsCharacters: counter({ ...r, name: METRIC.ttsCharacters, help: 'Characters of text synthesized.', labels: ['engine'] }),
    ttsQueueDepth: gauge({ ...r, name: METRIC.ttsQueueDepth, help: 'Jobs waiting for a synthesis worker.', labels: [] }),
    ttsQueueCapacity: gauge({ ...r, name: METRIC.ttsQueueCapacity, help: 'Jobs the queue holds before refusing (JARVIS_TTS_QUEUE_MAX).', labels: [] }),
    ttsActiveJobs: gauge({ ...r, name: METRIC.ttsActiveJobs, help: 'Jobs being synthesized now.', labels: [] }),
    providerRequests: counter({ ...r, name: METRIC.providerRequests, help: 'Chat provider calls by provider and outcome (short_circuited: breaker open).', labels: ['provider', 'outcome'] }),
    providerDuration: histogram({ ...r, ...ex, name: METRIC.providerDuration, help: 'Chat provider call latency.', labels: ['provider'], buckets: BUCKETS.provider }),
    providerErrors: counter({ ...r, name: METRIC.providerErrors, help: 'Chat provider failures by provider and kind.', labels: ['provider', 'kind'] }),
    setBreakerState: (provider, state) => breaker.set({ provider }, BREAKER_STATE[state]),
    providerFallbacks: counter({ ...r, name: METRIC.providerFallbacks, help: 'Answers that fell back from one provider to the next.', labels: ['from', 'to'] }),
    eventPublishDuration: histogram({ ...r, ...ex, name: METRIC.eventPublishDuration, help: 'Time from publish() to the event being durable in the log.', labels: ['log', 'topic'], buckets: BUCKETS.publish }),
    eventPublishErrors: counter({ ...r, name: METRIC.eventPublishErrors, help: 'Events that could not be published or delivered, by reason.', labels: ['log', 'reason'] }),
    outboxDepth: gauge({ ...r, name: METRIC.outboxDepth, help: 'Events in the outbox not yet delivered to the log.', labels: [] }),
    outboxCapacity: gauge({ ...r, name: METRIC.outboxCapacity, help: 'Events the outbox holds before publish refuses (JARVIS_OUTBOX_MAX_EVENTS).', labels: [] }),
    projectorLagEvents: gauge({ ...r, name: METRIC.projectorLagEvents, help: 'Events on the log a projection has not applied yet.', labels: perProjection, aggregator: 'max' }),
    projectorLagSeconds: gauge({ ...r, name: METRIC.projectorLagSeconds, help: 'Age of the oldest event a projection has not applied yet (0 when caught up).', labels: perProjection, aggregator: 'max' }),
    projectorEventsApplied: counter({ ...r, name: METRIC.projectorEventsApplied, help: 'Events a projection applied.', labels: perProjection }),
    projectionRebuildProgress: gauge({ ...r, name: METRIC.projectionRebuildProgress, help: 'Rebuild progress from 0 to 1 (1 when not rebuilding).', labels: perProjection, aggregator: 'min' }),
  };
  initialiseSeries(metrics, securityEvents, options);
  return metrics;
}
