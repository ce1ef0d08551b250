/**
 * Authorization: the route's access rule against the principal's permissions (403), and the
 * decision published either way. `api_key` routes refuse JWTs (403); `jwt` routes refuse API
 * keys (400, as the contract says for /auth/logout).
 */
import type { Next } from 'koa';
import { AuthDecisionRecorded } from '../../../events/index.ts';
import type { Permission } from '../../../events/define.ts';
import type { Publisher } from '../../eventlog/publisher.ts';
import { publishAudited } from '../audited.ts';
import { httpErrors } from '../errors.ts';
import type { JarvisContext } from '../state.ts';

/** Publishes one authorization decision for the request in `ctx`. */
export function publishAuthorization(publisher: Publisher, instance: string, ctx: JarvisContext, outcome: 'granted' | 'denied', permission: Permission | null): void {
  const s = ctx.state;
  const p = s.principal!;
  const reason: 'ok' | 'jwt_not_allowed' | 'permission_denied' = outcome === 'granted' ? 'ok' : p.method === 'jwt' && s.routeSpecs[0]?.access === 'api_key' ? 'jwt_not_allowed' : 'permission_denied';
  const data = { stage: 'authorization' as const, outcome, reason, method: p.method, principal: p.id, session_id: p.sessionId, permission, ip: s.ip, route: s.route ?? 'unmatched', request_id: s.requestId, instance };
  const meta = { key: s.ip, requestId: s.requestId, traceparent: s.traceparent, actorId: p.id };
  // A denial causes a security record: the client gets its Audit-Id.
  if (outcome === 'denied') publishAudited(ctx, publisher, AuthDecisionRecorded, data, meta);
  else publisher.publish(AuthDecisionRecorded, data, meta);
}

export function authorizeMiddleware(opts: { publisher: Publisher; instance: string }) {
  return async function authorize(ctx: JarvisContext, next: Next): Promise<void> {
    const access = ctx.state.routeSpecs[0]!.access;
    if (access === 'public') return next();
    const principal = ctx.state.principal!;
    if (access === 'api_key') {
      if (principal.method !== 'api_key') {
        publishAuthorization(opts.publisher, opts.instance, ctx, 'denied', null);
        throw httpErrors.forbidden('Exchange an API key for a token; a token cannot mint another.');
      }
    } else if (access === 'jwt') {
      if (principal.method !== 'jwt') {
        publishAuthorization(opts.publisher, opts.instance, ctx, 'denied', null);
        throw httpErrors.badRequest('Logout applies to a token session; an API key has no session to end.');
      }
    } else if (!principal.permissions.has(access)) {
      publishAuthorization(opts.publisher, opts.instance, ctx, 'denied', access);
      throw httpErrors.forbidden(`This credential lacks the "${access}" permission.`);
    }
    publishAuthorization(opts.publisher, opts.instance, ctx, 'granted', access === 'api_key' || access === 'jwt' ? null : access);
    await next();
  };
}
