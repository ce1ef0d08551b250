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
import type { AuthReason } from '../../events/auth.ts';
import { SECURITY_EVENT_KINDS, type SecurityEventType } from '../../events/security.ts';
import type { z } from 'zod';
import { counter, gauge, histogram, type CounterHandle, type GaugeHandle, type HistogramHandle } from './handles.ts';
import { methodLabel, routeLabel, securityTypeLabel, statusClass, type HttpMethodLabel, type StatusClass } from './labels.ts';
import {
  BREAKER_STATE,
  METRIC,
  type PROVIDER_ERROR_KINDS,
  type PROVIDER_OUTCOMES,
  type PUBLISH_ERROR_REASONS,
  type RATE_LIMIT_TIERS,
  type TTS_OUTCOMES,
} from './names.ts';

export type RateLimitTier = (typeof RATE_LIMIT_TIERS)[number];
export type TtsOutcome = (typeof TTS_OUTCOMES)[number];
export type ProviderOutcome = (typeof PROVIDER_OUTCOMES)[number];
export type ProviderErrorKind = (typeof PROVIDER_ERROR_KINDS)[number];
export type PublishErrorReason = (typeof PUBLISH_ERROR_REASONS)[number];
export type BreakerState = keyof typeof BREAKER_STATE;
type Reason = z.infer<typeof AuthReason>;

/** Histogram buckets (seconds). HTTP includes 0.5 s: the latency objective's threshold. */
export const BUCKETS = {
  http: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  synthesis: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
  firstByte: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
  provider: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60],
  publish: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
} as const;

/** One finished HTTP request, as the access middleware knows it. */
export interface HttpObservation {
  readonly method: string;
  /** The matched route template (`ctx._matchedRoute`), undefined when none matched. Never `ctx.path`. */
  readonly route: string | undefined;
  readonly status: number;
  readonly seconds: number;
  readonly traceId?: string;
}

export interface MetricsOptions {
  /** Expose OpenMetrics with exemplars (trace ids on histogram buckets). Default true. */
  readonly exemplars?: boolean;
  /** Node process metrics (CPU, memory, event loop, GC). Default true. */
  readonly processMetrics?: boolean;
  /** When given, any route label outside this set becomes `unmatched`. */
  readonly knownRoutes?: Iterable<string>;
  /** Value of the `version` label on jarvis_build_info. */
  readonly version?: string;
  /** Configured providers, TTS engines and projections: their series start at 0 (see below). */
  readonly providers?: readonly string[];
  readonly ttsEngines?: readonly string[];
  readonly projections?: readonly string[];
}

export interface JarvisMetrics {
  readonly registry: Registry;
  readonly exemplars: boolean;
  /** Counts the request and records its duration (RED), with bounded labels. */
  observeHttp(o: HttpObservation): void;
  readonly httpRequests: CounterHandle<{ method: HttpMethodLabel; route: string; status_class: StatusClass }>;
  readonly httpDuration: HistogramHandle<{ method: HttpMethodLabel; route: string; status_class: StatusClass }>;
  readonly httpInFlight: GaugeHandle;
  readonly authDecisions: CounterHandle<{ stage: 'authentication' | 'authorization'; result: 'granted' | 'denied'; reason: Reason; credential: 'api_key' | 'jwt' | 'none' }>;
  readonly rateLimitRejections: CounterHandle<{ tier: RateLimitTier; scope: 'ip' | 'principal' }>;
  /** Counts one security event by its CloudEvents type (label `type` is the short name). */
  securityEvent(type: SecurityEventType): void;
  readonly activeSessions: GaugeHandle;
  readonly activeIpBlocks: GaugeHandle<{ source: 'config' | 'admin' | 'auto' }>;
  readonly ttsJobs: CounterHandle<{ engine: string; outcome: TtsOutcome }>;
  readonly ttsSynthesisDuration: HistogramHandle<{ engine: string }>;
  readonly ttsTimeToFirstByte: HistogramHandle<{ engine: string }>;
  readonly ttsAudioSeconds: CounterHandle<{ engine: string }>;
  readonly ttsCharacters: CounterHandle<{ engine: string }>;
  readonly ttsQueueDepth: GaugeHandle;
  readonly ttsQueueCapacity: GaugeHandle;
  readonly ttsActiveJobs: GaugeHandle;
  readonly providerRequests: CounterHandle<{ provider: string; outcome: ProviderOutcome }>;
  readonly providerDuration: HistogramHandle<{ provider: string }>;
  readonly providerErrors: CounterHandle<{ provider: string; kind: ProviderErrorKind }>;
  /** Sets the breaker gauge (0 closed, 1 half-open, 2 open). */
  setBreakerState(provider: string, state: BreakerState): void;
  readonly providerFallbacks: CounterHandle<{ from: string; to: string }>;
  readonly eventPublishDuration: HistogramHandle<{ log: 'embedded' | 'kafka'; topic: string }>;
  readonly eventPublishErrors: CounterHandle<{ log: 'embedded' | 'kafka'; reason: PublishErrorReason }>;
  readonly outboxDepth: GaugeHandle;
  readonly outboxCapacity: GaugeHandle;
  readonly projectorLagEvents: GaugeHandle<{ projection: string }>;
  readonly projectorLagSeconds: GaugeHandle<{ projection: string }>;
  readonly projectorEventsApplied: CounterHandle<{ projection: string }>;
  readonly projectionRebuildProgress: GaugeHandle<{ projection: string }>;
}

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

/**
 * Starts the series alerts and dashboards rely on at 0. A counter that first appears at 1 has
 * no increase for rate() or increase() to see, so the first brute-force detection would be
 * missed; and a panel over an absent series shows "no data" instead of 0.
 */
function initialiseSeries(m: JarvisMetrics, securityEvents: CounterHandle<{ type: string; severity: string }>, o: MetricsOptions): void {
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
