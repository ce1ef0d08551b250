/** /admin/sessions: list and revoke JWT sessions. */
import { z } from 'zod';
import { SessionRevoked } from '../../../events/index.ts';
import { publishAudited } from '../audited.ts';
import { httpErrors } from '../errors.ts';
import type { RouteSpec } from '../state.ts';
import type { RouteDeps } from './deps.ts';

export const SessionQuery = z.strictObject({
  principal: z.string().max(64).optional(),
  state: z.enum(['active', 'revoked', 'expired', 'all']).optional(),
});

export function adminSessionRoutes(deps: RouteDeps): RouteSpec[] {
  const { clock, publisher, effects } = deps;
  return [
    {
      method: 'GET',
      path: '/admin/sessions',
      access: 'admin',
      tier: 'api',
      summary: 'List sessions (active by default; `state=all` for every known one).',
      query: SessionQuery,
      responses: { '200': { description: 'Sessions.' } },
      handler(ctx) {
        const q = ctx.state.query as z.infer<typeof SessionQuery>;
        const want = q.state ?? 'active';
        const sessions = effects.sessions
          .list(clock.now())
          .filter((s) => (want === 'all' || s.state === want) && (!q.principal || s.principal === q.principal))
          .map((s) => ({
            id: s.id,
            principal: s.principal,
            scope: s.scope.join(' '),
            ip: s.ip,
            state: s.state,
            started_at: new Date(s.startedAt).toISOString(),
            last_seen_at: new Date(s.lastSeenAt).toISOString(),
            expires_at: new Date(Math.min(s.absoluteExpiresAt, s.lastSeenAt + s.idleTimeoutMs)).toISOString(),
          }));
        ctx.body = { sessions };
      },
    },
    {
      method: 'DELETE',
      path: '/admin/sessions/:id',
      access: 'admin',
      tier: 'api',
      summary: 'Revoke a session everywhere.',
      responses: { '204': { description: 'Revoked.' }, '404': { description: 'No such session.' } },
      handler(ctx) {
        const id = ctx.params.id!;
        const s = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? effects.sessions.get(id) : undefined;
        if (!s) throw httpErrors.notFound('No such session.');
        if (s.state === 'active') {
          publishAudited(ctx, publisher, SessionRevoked, { session_id: id, principal: s.principal, by: ctx.state.principal!.id, reason: 'admin', ip: ctx.state.ip }, { key: id, subject: id, requestId: ctx.state.requestId, traceparent: ctx.state.traceparent, actorId: ctx.state.principal!.id });
          effects.sessionRevoked(id);
        }
        ctx.status = 204;
      },
    },
  ];
}
