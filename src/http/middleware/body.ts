/**
 * Content type (415), size (413) and validation (400) for routes that declare a body schema,
 * in that order. The size limit holds while the body streams in: a Content-Length over the
 * limit is refused before reading, and a body that grows past it (lying or absent
 * Content-Length) is cut off as soon as it does. Validation is strict: no coercion, unknown
 * fields rejected, and every failing field named.
 */
import type { Next } from 'koa';
import type { z } from 'zod';
import { InputRejected } from '../../../events/index.ts';
import type { Publisher } from '../../eventlog/publisher.ts';
import { AppError, type FieldError } from '../../shared/errors.ts';
import { publishAudited } from '../audited.ts';
import { httpErrors } from '../errors.ts';
import type { JarvisContext } from '../state.ts';

/** After a 413, the rest of the upload is read and dropped (up to this much) so the client can read the answer. */
const LINGER_BYTES = 16 * 1024 * 1024;
const LINGER_MS = 10_000;

/**
 * Discards what is left of a refused upload, bounded in bytes and time. Closing at once would
 * reset the connection with unread data in it, and the client would often lose the 413.
 */
function linger(req: JarvisContext['req']): void {
  let dropped = 0;
  const stop = () => req.destroy();
  const timer = setTimeout(stop, LINGER_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) stop();
  });
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}

/** Reads the raw body, failing with 413 as soon as it exceeds `limit` bytes. */
export function readBody(ctx: JarvisContext, limit: number): Promise<Buffer> {
  const declared = ctx.get('content-length');
  if (declared && Number(declared) > limit) {
    if (Number(declared) - limit > LINGER_BYTES) ctx.set('Connection', 'close');
    else linger(ctx.req);
    return Promise.reject(httpErrors.payloadTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const req = ctx.req;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        linger(req);
        reject(httpErrors.payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new AppError('ERR_BODY_ABORTED', { status: 400, title: 'Bad request', detail: 'The request body was not received completely.', cause: err }));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** zod issues → `[{path, message}]` with JSON-pointer-like dotted paths. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.slice(0, 20).map((i) => {
    const base = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') return { path: [base, ...i.keys].filter(Boolean).join('.') || '(root)', message: 'unknown field' };
    return { path: base || '(root)', message: i.message };
  });
}

function hasBody(ctx: JarvisContext): boolean {
  const len = ctx.get('content-length');
  return (len !== '' && len !== '0') || ctx.get('transfer-encoding') !== '';
}

export function bodyMiddleware(opts: { maxBodyBytes: number; publisher: Publisher }) {
  function reject(ctx: JarvisContext, reason: 'body_too_large' | 'unsupported_media_type' | 'validation_failed' | 'malformed_json', err: AppError): never {
    const s = ctx.state;
    publishAudited(ctx, opts.publisher, InputRejected, { reason, ip: s.ip, principal: s.principal?.id ?? null, route: s.route!, status: err.status, request_id: s.requestId, detail: err.errors ? err.errors.map((e) => e.path).join(',').slice(0, 256) : null }, { key: s.ip, requestId: s.requestId, traceparent: s.traceparent, ...(s.principal && { actorId: s.principal.id }) });
    throw err;
  }

  return async function body(ctx: JarvisContext, next: Next): Promise<void> {
    const m = ctx.method === 'HEAD' ? 'GET' : ctx.method;
    const spec = ctx.state.routeSpecs.find((s) => s.method === m)!;
    if (spec.query) {
      const q = spec.query.safeParse({ ...ctx.query });
      if (!q.success) reject(ctx, 'validation_failed', httpErrors.validation(fieldErrors(q.error)));
      ctx.state.query = q.data;
    }
    if (!spec.body) return next();
    let raw: unknown = {};
    if (hasBody(ctx)) {
      const type = ctx.get('content-type').toLowerCase();
      const [mime, ...params] = type.split(';').map((s) => s.trim());
      const charsetOk = params.every((p) => !p.startsWith('charset=') || p === 'charset=utf-8');
      if (mime !== 'application/json' || !charsetOk) reject(ctx, 'unsupported_media_type', httpErrors.unsupportedMediaType('application/json'));
      let buf: Buffer;
      try {
        buf = await readBody(ctx, opts.maxBodyBytes);
      } catch (err) {
        if (err instanceof AppError && err.status === 413) reject(ctx, 'body_too_large', err);
        throw err;
      }
      ctx.state.bytesIn = buf.length;
      if (buf.length > 0) {
        try {
          raw = JSON.parse(buf.toString('utf8'));
        } catch {
          reject(ctx, 'malformed_json', httpErrors.malformedJson());
        }
      }
    }
    const parsed = spec.body.safeParse(raw);
    if (!parsed.success) reject(ctx, 'validation_failed', httpErrors.validation(fieldErrors(parsed.error)));
    ctx.state.body = parsed.data;
    const extra = spec.extraPermissions?.(parsed.data) ?? [];
    const missing = extra.filter((p) => !ctx.state.principal?.permissions.has(p));
    if (missing.length > 0) throw httpErrors.forbidden(`This request needs the "${missing.join('", "')}" permission.`);
    await next();
  };
}
