/**
 * Outermost: when the response is finished (or the client went away), publishes the request
 * as a RequestCompleted event and reports it to the observer (metrics, access log).
 */
import type { Next } from 'koa';
import { RequestCompleted } from '../../../events/index.ts';
import type { Publisher } from '../../eventlog/publisher.ts';
import type { JarvisContext } from '../state.ts';

export interface RequestObservation {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
  readonly ctx: JarvisContext;
}

export function accessEventMiddleware(opts: { publisher: Publisher; instance: string; now: () => number; observe?: (o: RequestObservation) => void; inFlight?: { inc(): void; dec(): void }; onPublishError?: (err: unknown) => void }) {
  return async function accessEvent(ctx: JarvisContext, next: Next): Promise<void> {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      opts.inFlight?.dec();
      const s = ctx.state;
      const durationMs = opts.now() - s.startedAt;
      const route = s.route ?? 'unmatched';
      const status = ctx.res.writableFinished ? ctx.status : 499; // 499: the client closed first
      const lengthHeader = ctx.res.getHeader('content-length');
      const bytesOut = lengthHeader !== undefined ? Number(lengthHeader) || 0 : (s.bytesOut ?? 0);
      const tier = s.route === null ? 'api' : (s.routeSpecs[0]!.tier ?? null);
      try {
        opts.publisher.publish(
        RequestCompleted,
        {
          method: ctx.method.slice(0, 16),
          route,
          status,
          duration_ms: durationMs,
          bytes_in: s.bytesIn,
          bytes_out: bytesOut,
          ip: s.ip,
          principal: s.principal?.id ?? null,
          tier: status === 429 ? null : tier,
          error_code: s.errorCode,
          request_id: s.requestId,
          instance: opts.instance,
        },
        { key: s.ip, requestId: s.requestId, traceparent: s.traceparent, ...(s.principal && { actorId: s.principal.id }) },
        );
      } catch (err) {
        // The response is already sent; a full outbox is reported by its own metric and alert.
        opts.onPublishError?.(err);
      }
      opts.observe?.({ method: ctx.method, route, status, durationMs, ctx });
    };
    opts.inFlight?.inc();
    ctx.res.once('finish', finish);
    ctx.res.once('close', finish);
    await next();
  };
}
