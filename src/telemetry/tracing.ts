/**
 * Helpers for Jarvis's own spans and for carrying trace context through events.
 * They use only @opentelemetry/api, so they are no-ops when the SDK is not started (unit tests)
 * and never throw into the caller: a failed span gets status ERROR and the original error is
 * rethrown unchanged.
 */
import { context, createContextKey, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { ATTR, TRACER_NAME, type SpanName } from './names.ts';

/** Jarvis's tracer. */
export function tracer(): ReturnType<typeof trace.getTracer> {
  return trace.getTracer(TRACER_NAME);
}

export interface SpanOptions {
  readonly attributes?: Attributes;
  readonly kind?: SpanKind;
  /** Parent context; defaults to the active one. */
  readonly parent?: Context;
}

/**
 * Runs `fn` inside a new active span named from names.ts. An error thrown by `fn` marks the
 * span ERROR (with the error's `code` when it has one) and is rethrown as is.
 */
export async function withSpan<T>(name: SpanName, options: SpanOptions, fn: (span: Span) => Promise<T> | T): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      markError(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Marks a span as failed without recording the message (it may hold user input). */
export function markError(span: Span, err: unknown): void {
  try {
    const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
    const type = err instanceof Error ? err.name : typeof err;
    span.setStatus({ code: SpanStatusCode.ERROR, ...(code ? { message: code } : {}) });
    span.setAttribute(ATTR.errorType, code ?? type);
    if (code) span.setAttribute(ATTR.errorCode, code);
  } catch {
    // never let telemetry break the request
  }
}

/** Sets attributes on the active span, if any (e.g. the request id once it is decided). */
export function annotateActiveSpan(attributes: Attributes): void {
  try {
    trace.getActiveSpan()?.setAttributes(attributes);
  } catch {
    // never let telemetry break the request
  }
}

/**
 * The HTTP server span of the current request. The http instrumentation keeps it in the
 * context under @opentelemetry/core's RPC metadata key (a Symbol.for key, so the same key is
 * rebuilt here without depending on core); the koa instrumentation sets http.route on it the
 * same way. Falls back to the active span.
 */
const RPC_METADATA_KEY = createContextKey('OpenTelemetry SDK Context Key RPC_METADATA');

function requestSpan(): Span | undefined {
  const meta = context.active().getValue(RPC_METADATA_KEY) as { span?: Span } | undefined;
  return meta?.span ?? trace.getActiveSpan();
}

/** Sets attributes on the request's server span (e.g. the request id once it is decided). */
export function annotateRequestSpan(attributes: Attributes): void {
  try {
    requestSpan()?.setAttributes(attributes);
  } catch {
    // never let telemetry break the request
  }
}

/**
 * Names the request's route template for tracing: sets `http.route` on the server span now,
 * and the RPC metadata route the http instrumentation reads when the response finishes, which
 * renames the span `GET /admin/keys/:id` (what @koa/router gets automatically; Jarvis routes
 * itself). Call once the route is matched; pass the template, never the raw path.
 */
export function setRequestRoute(route: string): void {
  try {
    const meta = context.active().getValue(RPC_METADATA_KEY) as { route?: string; span?: Span } | undefined;
    if (meta) meta.route = route;
    requestSpan()?.setAttribute(ATTR.httpRoute, route);
  } catch {
    // never let telemetry break the request
  }
}

/** The active trace id (32 hex), or undefined when there is no valid span. */
export function currentTraceId(ctx: Context = context.active()): string | undefined {
  const sc = trace.getSpanContext(ctx);
  return sc && trace.isSpanContextValid(sc) ? sc.traceId : undefined;
}

/** The active span id (16 hex), or undefined. */
export function currentSpanId(ctx: Context = context.active()): string | undefined {
  const sc = trace.getSpanContext(ctx);
  return sc && trace.isSpanContextValid(sc) ? sc.spanId : undefined;
}

/** W3C `traceparent` of the active span, for an event's metadata (EventMeta.traceparent). */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** Injects the active context into message headers (for the embedded log, like kafkajs instrumentation does). */
export function injectTraceHeaders(headers: Record<string, string>, ctx: Context = context.active()): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

/** Header getter that understands kafkajs Buffers as well as strings. */
const headerGetter = {
  keys: (carrier: Readonly<Record<string, unknown>>) => Object.keys(carrier),
  get: (carrier: Readonly<Record<string, unknown>>, key: string): string | undefined => {
    const v = carrier[key];
    if (typeof v === 'string') return v;
    if (Buffer.isBuffer(v)) return v.toString('utf8');
    if (Array.isArray(v) && v.length > 0) return String(v[0]);
    return undefined;
  },
};

/**
 * The context an event was produced in, from its `traceparent` (envelope) or message headers,
 * so the projector's span joins the request's trace. Unknown or malformed input gives the
 * root context (a new trace), never an error.
 */
export function contextFromEvent(source: { readonly traceparent?: string | undefined; readonly headers?: Readonly<Record<string, unknown>> | undefined }): Context {
  try {
    const carrier: Record<string, unknown> = { ...(source.headers ?? {}) };
    if (source.traceparent) carrier.traceparent = source.traceparent;
    return propagation.extract(ROOT_CONTEXT, carrier, headerGetter);
  } catch {
    return ROOT_CONTEXT;
  }
}

export { SpanKind };
