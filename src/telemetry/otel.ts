/**
 * OpenTelemetry setup: the Node SDK with the official auto-instrumentations (http, undici,
 * koa, kafkajs, openai), started before the application is imported (see preload.ts).
 *
 * Configuration exception: this module reads OTEL_* variables from process.env itself (through
 * the SDK), because that is OpenTelemetry's own convention and it must run before src/config
 * is loaded. It reads nothing else.
 *
 * Export is off unless asked for: with no OTEL_TRACES_EXPORTER and no OTLP endpoint, spans are
 * still created (trace ids reach logs, events and audit records) but go nowhere, so a missing
 * collector never produces errors. The SDK's own OTel metrics and logs pipelines are off unless
 * OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER are set: metrics are prom-client's, logs pino's.
 */
import { NodeSDK, resources, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
// Not re-exported from the package index; it is the SDK's own OTEL_TRACES_EXPORTER logic,
// reused so the redacting processor can sit in front of whatever exporters env asks for.
import { getSpanProcessorsFromEnv } from '@opentelemetry/sdk-node/build/src/utils.js';
import { SERVICE_NAME } from './names.ts';
import { RedactingSpanProcessor, isIgnoredPath, SAFE_REQUEST_HEADERS, SENSITIVE_QUERY_PARAMS } from './redact.ts';

export type SpanProcessor = NonNullable<NodeSDKConfiguration['spanProcessors']>[number];

export interface TelemetryOptions {
  /** Replaces the exporters chosen from OTEL_* (tests pass an in-memory exporter here). */
  readonly spanProcessors?: SpanProcessor[];
  /** Defaults to process.env; only OTEL_* keys are read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface Telemetry {
  /** True when spans leave the process (an exporter was configured). */
  readonly exporting: boolean;
  shutdown(): Promise<void>;
}

let started: Telemetry | undefined;

/** The telemetry started in this process (by preload.ts), for the app's graceful shutdown. */
export function activeTelemetry(): Telemetry | undefined {
  return started;
}

/** Whether OTEL_* asks for trace export: an explicit exporter, or an OTLP endpoint. */
export function tracesExportRequested(env: Readonly<Record<string, string | undefined>>): boolean {
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/** The instrumentations Jarvis uses; the noisy or irrelevant ones are off. */
export function instrumentations(): ReturnType<typeof getNodeAutoInstrumentations> {
  return getNodeAutoInstrumentations({
    // fs, dns and net produce a span per syscall-ish call: noise that hides the request.
    '@opentelemetry/instrumentation-fs': { enabled: false },
    '@opentelemetry/instrumentation-dns': { enabled: false },
    '@opentelemetry/instrumentation-net': { enabled: false },
    // pino gets trace ids from our own mixin (logger.ts), which also works without the SDK.
    '@opentelemetry/instrumentation-pino': { enabled: false },
    '@opentelemetry/instrumentation-runtime-node': { enabled: false },
    '@opentelemetry/instrumentation-http': {
      // Only these request headers become attributes: never Authorization or Cookie.
      headersToSpanAttributes: { server: { requestHeaders: [...SAFE_REQUEST_HEADERS] }, client: { requestHeaders: [] } },
      redactedQueryParams: [...SENSITIVE_QUERY_PARAMS],
      redactedQueryParamsServer: [...SENSITIVE_QUERY_PARAMS],
      // Scrapes and liveness probes every second would drown the traces that matter.
      ignoreIncomingRequestHook: (req) => isIgnoredPath(req.url),
    },
    '@opentelemetry/instrumentation-undici': { headersToSpanAttributes: { requestHeaders: [], responseHeaders: [] } },
    // Prompt and answer texts are never span attributes.
    '@opentelemetry/instrumentation-openai': { captureMessageContent: false },
  });
}

/**
 * Starts the SDK once per process (later calls return the first result). Call before the
 * instrumented libraries are imported, or their spans are missing.
 */
export function startTelemetry(options: TelemetryOptions = {}): Telemetry {
  if (started) return started;
  const env = options.env ?? process.env;
  const exporting = !options.spanProcessors && tracesExportRequested(env);
  const config: Partial<NodeSDKConfiguration> = {
    serviceName: env.OTEL_SERVICE_NAME?.trim() || SERVICE_NAME,
    instrumentations: [instrumentations()],
    // The stock process detector exports the command line (process.command_args), where a
    // key passed as an argument would leak; only the harmless process facts are kept.
    ...(env.OTEL_NODE_RESOURCE_DETECTORS
      ? {}
      : {
          resourceDetectors: [resources.envDetector, resources.hostDetector],
          resource: resources.defaultResource().merge(resources.resourceFromAttributes({ 'process.pid': process.pid, 'process.runtime.name': 'nodejs', 'process.runtime.version': process.versions.node })),
        }),
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
  };
  // Without export a no-op processor still registers a tracer provider: ids exist, nothing is sent.
  const sinks = options.spanProcessors ?? (exporting ? getSpanProcessorsFromEnv(undefined) : [new NoopSpanProcessor()]);
  // The redacting processor goes first: it rewrites attributes before any exporter sees the span.
  config.spanProcessors = [new RedactingSpanProcessor(), ...sinks];
  const sdk = new NodeSDK(config);
  sdk.start();
  started = {
    exporting,
    shutdown: async () => {
      started = undefined;
      await sdk.shutdown();
    },
  };
  return started;
}
