/**
 * The one place errors become RFC 9457 problem+json. An AppError with `expose` shows its
 * detail; anything else is a 500 with a generic title, and is re-emitted for central logging.
 * Outside NODE_ENV=development nothing internal (stack, message, library) reaches the client.
 */
import type { Next } from 'koa';
import { isAppError } from '../../shared/errors.ts';
import { problemType } from '../errors.ts';
import type { JarvisContext } from '../state.ts';

export function problemMiddleware(opts: { development: boolean; onUnexpected: (err: unknown, ctx: JarvisContext) => void }) {
  return async function problem(ctx: JarvisContext, next: Next): Promise<void> {
    try {
      await next();
    } catch (err) {
      renderProblem(ctx, err, opts);
    }
  };
}

/** Writes `err` as problem+json on `ctx`; also used when a stream fails before its first byte. */
export function renderProblem(ctx: JarvisContext, err: unknown, opts: { development: boolean; onUnexpected: (err: unknown, ctx: JarvisContext) => void }): void {
  if (ctx.headerSent || !ctx.writable) {
    // Too late for a problem document: abort so the client sees a broken transfer, not a short file.
    opts.onUnexpected(err, ctx);
    ctx.req.socket.destroy();
    return;
  }
  let status = 500;
  let code = 'ERR_INTERNAL';
  const problem: Record<string, unknown> = { type: problemType('ERR_INTERNAL'), title: 'Internal server error', status };
  // Koa's own HttpErrors (e.g. from ctx.throw) carry status and expose.
  const httpish = err as { status?: unknown; expose?: unknown; message?: unknown };
  if (isAppError(err)) {
    status = err.status;
    code = err.code;
    problem.type = problemType(err.code);
    problem.title = err.title;
    problem.status = status;
    if (err.expose && err.detail) problem.detail = err.detail;
    if (err.errors) problem.errors = err.errors;
    for (const [k, v] of Object.entries(err.headers)) ctx.set(k, v);
    if (status >= 500) opts.onUnexpected(err, ctx);
  } else if (typeof httpish.status === 'number' && httpish.status >= 400 && httpish.status < 500 && httpish.expose === true) {
    status = httpish.status;
    code = `ERR_HTTP_${status}`;
    problem.type = problemType(code);
    problem.title = ctx.res.statusMessage || 'Bad request';
    problem.status = status;
  } else {
    opts.onUnexpected(err, ctx);
    if (opts.development && err instanceof Error) problem.detail = err.stack ?? err.message;
  }
  problem.request_id = ctx.state.requestId;
  ctx.state.errorCode = code;
  ctx.status = status;
  ctx.type = 'application/problem+json';
  ctx.body = JSON.stringify(problem);
}
