/** 405 with Allow when the path exists but not for this method (HEAD rides on GET). */
import type { Next } from 'koa';
import { InputRejected } from '../../../events/index.ts';
import type { Publisher } from '../../eventlog/publisher.ts';
import { publishAudited } from '../audited.ts';
import { httpErrors } from '../errors.ts';
import type { JarvisContext } from '../state.ts';

export function methodMiddleware(opts: { publisher: Publisher }) {
  return async function method(ctx: JarvisContext, next: Next): Promise<void> {
    const specs = ctx.state.routeSpecs;
    const m = ctx.method === 'HEAD' ? 'GET' : ctx.method;
    if (!specs.some((s) => s.method === m)) {
      const allow = [...new Set(specs.flatMap((s) => (s.method === 'GET' ? ['GET', 'HEAD'] : [s.method])))];
      const s = ctx.state;
      publishAudited(ctx, opts.publisher, InputRejected, { reason: 'method_not_allowed', ip: s.ip, principal: s.principal?.id ?? null, route: s.route!, status: 405, request_id: s.requestId, detail: ctx.method.slice(0, 16) }, { key: s.ip, requestId: s.requestId, traceparent: s.traceparent });
      throw httpErrors.methodNotAllowed(allow);
    }
    await next();
  };
}
