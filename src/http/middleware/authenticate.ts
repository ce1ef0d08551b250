/**
 * Authentication: the Authorization header becomes a principal, or a 401 with
 * WWW-Authenticate: Bearer. Denials are published as auth decisions (never the credential).
 * Public routes skip this step.
 */
import type { Next } from 'koa';
import { AuthDecisionRecorded, SessionRefreshed } from '../../../events/index.ts';
import type { AuthFailure, Authenticator } from '../../auth/authenticate.ts';
import type { Publisher } from '../../eventlog/publisher.ts';
import { publishAudited } from '../audited.ts';
import { httpErrors } from '../errors.ts';
import type { JarvisContext } from '../state.ts';

const DETAIL: Record<AuthFailure, string> = {
  missing_credential: 'A valid credential is required.',
  malformed_credential: 'The Authorization header must read "Bearer <token>".',
  unknown_key: 'The credential is not valid.',
  revoked_key: 'The credential is not valid.',
  expired_key: 'The credential has expired.',
  invalid_token: 'The token is not valid.',
  expired_token: 'The token has expired.',
  token_not_yet_valid: 'The token is not valid yet.',
  session_revoked: 'The session has ended.',
  session_expired: 'The session has expired.',
};

/** A session's idle timer restarts when it is used; at most one event a minute per session. */
const REFRESH_EVERY_MS = 60_000;

export function authenticateMiddleware(opts: { authenticator: Authenticator; publisher: Publisher; instance: string; now: () => number }) {
  const refreshed = new Map<string, number>();
  function refresh(ctx: JarvisContext, sessionId: string): void {
    const t = opts.now();
    const last = refreshed.get(sessionId);
    if (last !== undefined && t - last < REFRESH_EVERY_MS) return;
    if (refreshed.size > 100_000) refreshed.clear();
    refreshed.set(sessionId, t);
    opts.publisher.publish(SessionRefreshed, { session_id: sessionId, at: new Date(t).toISOString() }, { key: sessionId, subject: sessionId, requestId: ctx.state.requestId, traceparent: ctx.state.traceparent });
  }
  return async function authenticate(ctx: JarvisContext, next: Next): Promise<void> {
    const access = ctx.state.routeSpecs[0]!.access;
    if (access === 'public') return next();
    const header = ctx.get('authorization') || undefined;
    const verdict = await opts.authenticator.authenticate(header, opts.now());
    if (!verdict.ok) {
      const s = ctx.state;
      const method = header === undefined ? 'none' : /^bearer\s+eyJ/i.test(header) ? 'jwt' : 'api_key';
      publishAudited(
        ctx,
        opts.publisher,
        AuthDecisionRecorded,
        { stage: 'authentication', outcome: 'denied', reason: verdict.reason, method, principal: null, session_id: null, permission: null, ip: s.ip, route: s.route ?? 'unmatched', request_id: s.requestId, instance: opts.instance },
        { key: s.ip, requestId: s.requestId, traceparent: s.traceparent },
      );
      ctx.state.errorCode = 'ERR_AUTH';
      throw verdict.reason === 'missing_credential'
        ? httpErrors.unauthenticated()
        : httpErrors.invalidCredential(DETAIL[verdict.reason], verdict.reason === 'malformed_credential' ? 'invalid_request' : 'invalid_token');
    }
    ctx.state.principal = verdict.principal;
    if (verdict.principal.sessionId) refresh(ctx, verdict.principal.sessionId);
    await next();
  };
}
