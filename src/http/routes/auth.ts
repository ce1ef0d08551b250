/** POST /auth/token (an API key → a short-lived JWT and a session) and POST /auth/logout. */
import { z } from 'zod';
import { SessionRevoked, SessionStarted } from '../../../events/index.ts';
import type { Permission } from '../../../events/define.ts';
import { httpErrors } from '../errors.ts';
import type { RouteSpec } from '../state.ts';
import type { RouteDeps } from './deps.ts';

export const TokenRequest = z.strictObject({
  scope: z.string().max(64).regex(/^[a-z ]*$/, 'space-separated permissions: read chat stream admin').optional(),
});

export const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  session_id: z.string(),
  scope: z.string(),
});

const ORDER: readonly Permission[] = ['read', 'chat', 'stream', 'admin'];

export function authRoutes(deps: RouteDeps): RouteSpec[] {
  const { config, clock, ids, publisher, jwt, effects } = deps;
  return [
    {
      method: 'POST',
      path: '/auth/token',
      access: 'api_key',
      tier: 'api',
      summary: 'Exchange an API key for a short-lived JWT (optionally a subset of its permissions) and open a session.',
      body: TokenRequest,
      responses: { '200': { description: 'A token and its session.', schema: TokenResponse } },
      async handler(ctx) {
        const principal = ctx.state.principal!;
        const body = ctx.state.body as z.infer<typeof TokenRequest>;
        const requested = body.scope?.split(' ').filter(Boolean) ?? [...principal.permissions];
        const unknown = requested.filter((p) => !ORDER.includes(p as Permission));
        if (unknown.length > 0) throw httpErrors.validation([{ path: 'scope', message: `unknown permission: ${unknown.join(', ')}` }]);
        const excess = requested.filter((p) => !principal.permissions.has(p as Permission));
        if (excess.length > 0) throw httpErrors.forbidden(`This key does not hold: ${excess.join(', ')}.`);
        const scope = ORDER.filter((p) => requested.includes(p));
        if (scope.length === 0) throw httpErrors.validation([{ path: 'scope', message: 'at least one permission is required' }]);
        const now = clock.now();
        const sessionId = `ses_${ids.short(12)}`;
        const jti = ids.uuid();
        const { token, expiresIn } = await jwt.issue({ sub: principal.id, sid: sessionId, jti, scope }, now);
        const absolute = Math.min(now + config.auth.sessionAbsoluteMs, now + expiresIn * 1000);
        publisher.publish(
          SessionStarted,
          {
            session_id: sessionId,
            principal: principal.id,
            scope,
            jti,
            ip: ctx.state.ip,
            started_at: new Date(now).toISOString(),
            idle_timeout_seconds: Math.max(1, Math.floor(config.auth.sessionIdleMs / 1000)),
            absolute_expires_at: new Date(absolute).toISOString(),
          },
          { key: sessionId, subject: sessionId, requestId: ctx.state.requestId, traceparent: ctx.state.traceparent, actorId: principal.id },
        );
        ctx.body = { access_token: token, token_type: 'Bearer', expires_in: expiresIn, session_id: sessionId, scope: scope.join(' ') };
      },
    },
    {
      method: 'POST',
      path: '/auth/logout',
      access: 'jwt',
      tier: 'api',
      summary: "Revoke the calling token's session everywhere.",
      responses: { '204': { description: 'The session is revoked.' } },
      handler(ctx) {
        const principal = ctx.state.principal!;
        const sessionId = principal.sessionId!;
        publisher.publish(
          SessionRevoked,
          { session_id: sessionId, principal: principal.id, by: principal.id, reason: 'logout', ip: ctx.state.ip },
          { key: sessionId, subject: sessionId, requestId: ctx.state.requestId, traceparent: ctx.state.traceparent, actorId: principal.id },
        );
        effects.sessionRevoked(sessionId);
        ctx.status = 204;
      },
    },
  ];
}
