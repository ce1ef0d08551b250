/**
 * The telemetry vocabulary: every metric name, label name, span name and span attribute key
 * Jarvis emits, in one file. Dashboards, alerts and tests import from here (or, for YAML, are
 * checked against it), so a rename is one edit and a test failure, never a silent gap.
 */

/** Prometheus metric names. Counters end in `_total`, durations in `_seconds`. */
export const METRIC = {
  buildInfo: 'jarvis_build_info',
  // RED per route template and method
  httpRequests: 'jarvis_http_requests_total',
  httpDuration: 'jarvis_http_request_duration_seconds',
  httpInFlight: 'jarvis_http_requests_in_flight',
  // security
  authDecisions: 'jarvis_auth_decisions_total',
  rateLimitRejections: 'jarvis_rate_limit_rejections_total',
  securityEvents: 'jarvis_security_events_total',
  activeSessions: 'jarvis_active_sessions',
  activeIpBlocks: 'jarvis_active_ip_blocks',
  rateLimitDegraded: 'jarvis_ratelimit_degraded',
  // speech
  ttsJobs: 'jarvis_tts_jobs_total',
  ttsSynthesisDuration: 'jarvis_tts_synthesis_duration_seconds',
  ttsTimeToFirstByte: 'jarvis_tts_time_to_first_byte_seconds',
  ttsAudioSeconds: 'jarvis_tts_audio_seconds_total',
  ttsCharacters: 'jarvis_tts_characters_total',
  ttsQueueDepth: 'jarvis_tts_queue_depth',
  ttsQueueCapacity: 'jarvis_tts_queue_capacity',
  ttsActiveJobs: 'jarvis_tts_active_jobs',
  // chat providers
  providerRequests: 'jarvis_provider_requests_total',
  providerDuration: 'jarvis_provider_request_duration_seconds',
  providerErrors: 'jarvis_provider_errors_total',
  providerBreakerState: 'jarvis_provider_breaker_state',
  providerFallbacks: 'jarvis_provider_fallbacks_total',
  // event pipeline
  eventPublishDuration: 'jarvis_eventlog_publish_duration_seconds',
  eventPublishErrors: 'jarvis_eventlog_publish_errors_total',
  outboxDepth: 'jarvis_eventlog_outbox_depth',
  outboxCapacity: 'jarvis_eventlog_outbox_capacity',
  projectorLagEvents: 'jarvis_projector_lag_events',
  projectorLagSeconds: 'jarvis_projector_lag_seconds',
  projectorEventsApplied: 'jarvis_projector_events_applied_total',
  projectionRebuildProgress: 'jarvis_projection_rebuild_progress_ratio',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** Label names. Values are always from a closed set (see metrics.ts): no raw path, IP, key or user id. */
export const LABEL = {
  method: 'method',
  route: 'route',
  statusClass: 'status_class',
  stage: 'stage',
  result: 'result',
  reason: 'reason',
  credential: 'credential',
  tier: 'tier',
  scope: 'scope',
  type: 'type',
  severity: 'severity',
  source: 'source',
  engine: 'engine',
  outcome: 'outcome',
  provider: 'provider',
  kind: 'kind',
  from: 'from',
  to: 'to',
  log: 'log',
  topic: 'topic',
  projection: 'projection',
  version: 'version',
} as const;

/** Exemplar label that links a histogram bucket to a trace (OpenMetrics exposition only). */
export const EXEMPLAR_TRACE_ID = 'trace_id';

/** Closed value sets for labels; anything else is folded into the fallback shown. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
/** Route label for a request no route matched (never the raw path). */
export const UNMATCHED_ROUTE = 'unmatched';
export const RATE_LIMIT_TIERS = ['api', 'stream'] as const;
export const TTS_OUTCOMES = ['completed', 'failed', 'cancelled', 'rejected'] as const;
export const PROVIDER_OUTCOMES = ['success', 'error', 'timeout', 'short_circuited'] as const;
export const PROVIDER_ERROR_KINDS = ['timeout', 'rate_limited', 'auth', 'server', 'network', 'invalid_response', 'other'] as const;
export const PUBLISH_ERROR_REASONS = ['outbox_full', 'log_unavailable', 'timeout', 'other'] as const;
/** Breaker state gauge values: comparable, so `max` across workers is the worst one. */
export const BREAKER_STATE = { closed: 0, half_open: 1, open: 2 } as const;

/** The Prometheus job name dashboards and alerts select on (deployment docs use it too). */
export const PROMETHEUS_JOB = 'jarvis-api';

/** OpenTelemetry service name. */
export const SERVICE_NAME = 'jarvis-api';
/** Tracer (instrumentation scope) name for Jarvis's own spans. */
export const TRACER_NAME = 'jarvis-api';

/** Names of Jarvis's own spans (auto-instrumentation names HTTP, Koa and Kafka spans itself). */
export const SPAN = {
  authenticate: 'jarvis.auth.authenticate',
  authorize: 'jarvis.auth.authorize',
  rateLimit: 'jarvis.ratelimit.check',
  ipFilter: 'jarvis.ipfilter.check',
  chat: 'jarvis.chat.respond',
  providerCall: 'jarvis.chat.provider',
  ttsSynthesize: 'jarvis.tts.synthesize',
  ttsQueueWait: 'jarvis.tts.queue_wait',
  publish: 'jarvis.eventlog.publish',
  outboxRelay: 'jarvis.eventlog.relay',
  projectorHandle: 'jarvis.projector.handle',
  securityEvent: 'jarvis.security.event',
  auditQuery: 'jarvis.audit.query',
} as const;
export type SpanName = (typeof SPAN)[keyof typeof SPAN];

/**
 * Span attribute keys. Standard OpenTelemetry keys where one exists (http.route, messaging.*);
 * `jarvis.*` for the rest. Values are ids, names and verdicts: never a secret or prompt text.
 */
export const ATTR = {
  // standard semantic conventions
  httpRoute: 'http.route',
  httpMethod: 'http.request.method',
  httpStatus: 'http.response.status_code',
  messagingSystem: 'messaging.system',
  messagingDestination: 'messaging.destination.name',
  messagingOperation: 'messaging.operation.type',
  messagingMessageId: 'messaging.message.id',
  errorType: 'error.type',
  // jarvis
  requestId: 'jarvis.request_id',
  principal: 'jarvis.principal',
  sessionId: 'jarvis.session_id',
  authStage: 'jarvis.auth.stage',
  authResult: 'jarvis.auth.result',
  authReason: 'jarvis.auth.reason',
  authMethod: 'jarvis.auth.method',
  permission: 'jarvis.auth.permission',
  rateLimitTier: 'jarvis.ratelimit.tier',
  rateLimitAllowed: 'jarvis.ratelimit.allowed',
  rateLimitRemaining: 'jarvis.ratelimit.remaining',
  provider: 'jarvis.chat.provider',
  model: 'jarvis.chat.model',
  conversationId: 'jarvis.chat.conversation_id',
  promptChars: 'jarvis.chat.prompt_chars',
  fallbackFrom: 'jarvis.chat.fallback_from',
  ttsEngine: 'jarvis.tts.engine',
  ttsJobId: 'jarvis.tts.job_id',
  ttsCharacters: 'jarvis.tts.characters',
  ttsFormat: 'jarvis.tts.format',
  eventType: 'jarvis.event.type',
  eventId: 'jarvis.event.id',
  eventLog: 'jarvis.eventlog.kind',
  projection: 'jarvis.projection',
  securityCode: 'jarvis.security.code',
  securityType: 'jarvis.security.type',
  errorCode: 'jarvis.error.code',
} as const;
export type AttrKey = (typeof ATTR)[keyof typeof ATTR];

/** Marker that starts the message of every security-event log line (`grep SECURITY_EVENT`). */
export const SECURITY_EVENT_MARKER = 'SECURITY_EVENT';
