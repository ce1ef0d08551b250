/**
 * First in the chain: the request id (a well-formed incoming X-Request-Id is kept), the W3C
 * trace context, the start time, and the headers every response carries.
 */
import { trace } from '@opentelemetry/api';
import type { Next } from 'koa';
import type { IdGenerator } from '../../shared/ids.ts';
import { randomHex } from '../../shared/random-hex.ts';
import type { JarvisContext } from '../state.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** A fresh span id (16 hex) for the traceparent we hand to events when no OTel span is active. */
function spanIdHex(): string {
  return randomHex(8);
}

export function requestContextMiddleware(opts: { ids: IdGenerator; now: () => number }) {
  return async function requestContext(ctx: JarvisContext, next: Next): Promise<void> {
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : opts.ids.uuid();
    const span = trace.getActiveSpan()?.spanContext();
    let traceId: string;
    let traceparent: string;
    if (span && span.traceId !== '00000000000000000000000000000000') {
      traceId = span.traceId;
      traceparent = `00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, '0')}`;
    } else {
      const m = TRACEPARENT.exec(ctx.get('traceparent'));
      traceId = m && m[1] !== '00000000000000000000000000000000' ? m[1]! : randomHex(16);
      traceparent = `00-${traceId}-${spanIdHex()}-01`;
    }
    ctx.state = {
      requestId,
      traceparent,
      traceId,
      startedAt: opts.now(),
      ip: 'unknown',
      route: null,
      routeSpecs: [],
      principal: null,
      rate: null,
      body: undefined,
      query: undefined,
      bytesIn: 0,
      auditId: null,
      errorCode: null,
    };
    ctx.set('X-Request-Id', requestId);
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}
