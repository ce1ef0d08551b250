/**
 * The shape of the metrics registry: label value types, histogram buckets, options and the
 * typed handles `createMetrics()` returns (metrics.ts). Label values are closed unions where the
 * set is known at compile time.
 */
import type { z } from 'zod';
import type { Registry } from 'prom-client';
import type { AuthReason } from '../../events/auth.ts';
import type { SecurityEventType } from '../../events/security.ts';
import type { CounterHandle, GaugeHandle, HistogramHandle } from './handles.ts';
import type { HttpMethodLabel, StatusClass } from './labels.ts';
import type { BREAKER_STATE, PROVIDER_ERROR_KINDS, PROVIDER_OUTCOMES, PUBLISH_ERROR_REASONS, RATE_LIMIT_TIERS, TTS_OUTCOMES } from './names.ts';

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
  /** 1 while the event log is unreachable and limits are enforced from this instance's share alone. */
  readonly rateLimitDegraded: GaugeHandle;
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
