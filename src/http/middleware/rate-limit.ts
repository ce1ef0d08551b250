/**
 * Sliding-window rate limits. `rateLimitByIp` runs before authentication (so failed
 * authentications spend the IP's budget); `rateLimitByPrincipal` right after it. Both set the
 * IETF headers on every limited response: RateLimit-Limit/-Remaining/-Reset and the newer
 * RateLimit-Policy / RateLimit fields.
 */
import type { Next } from 'koa';
import { RateLimitExceeded } from '../../../events/index.ts';
import type { Publisher } from '../../eventlog/publisher.ts';
import { type Admissions, type RateVerdict, type Scope, tighter, type Tier } from '../../ratelimit/limiter.ts';
import { publishAudited } from '../audited.ts';
import { httpErrors } from '../errors.ts';
import type { JarvisContext } from '../state.ts';

export function rateLimitHeaders(v: RateVerdict): Record<string, string> {
  return {
    'RateLimit-Limit': String(v.limit),
    'RateLimit-Remaining': String(v.remaining),
    'RateLimit-Reset': String(v.resetSeconds),
    'RateLimit-Policy': `"${v.tier}";q=${v.limit};w=${v.windowSeconds}`,
    RateLimit: `"${v.tier}";r=${v.remaining};t=${v.resetSeconds}`,
  };
}

function tierOf(ctx: JarvisContext): Tier | null {
  // Unknown paths count toward the API tier.
  return ctx.state.route === null ? 'api' : ctx.state.routeSpecs[0]!.tier;
}

function enforce(ctx: JarvisContext, opts: { limiter: Admissions; publisher: Publisher; now: () => number }, scope: Scope, id: string, tier: Tier): void | Promise<void> {
  const v = opts.limiter.check(tier, scope, id, opts.now());
  // One process answers at once; a cluster worker waits for the primary's count.
  return v instanceof Promise ? v.then((verdict) => apply(ctx, opts, scope, tier, verdict)) : apply(ctx, opts, scope, tier, v);
}

function apply(ctx: JarvisContext, opts: { publisher: Publisher }, scope: Scope, tier: Tier, verdict: RateVerdict): void {
  const combined = tighter(verdict, ctx.state.rate);
  ctx.state.rate = combined;
  const headers = rateLimitHeaders(combined);
  if (!verdict.allowed) {
    const s = ctx.state;
    publishAudited(
      ctx,
      opts.publisher,
      RateLimitExceeded,
      { tier, scope, ip: s.ip, principal: s.principal?.id ?? null, limit: verdict.limit, window_seconds: verdict.windowSeconds, retry_after_seconds: verdict.resetSeconds, request_id: s.requestId },
      { key: s.ip, requestId: s.requestId, traceparent: s.traceparent, ...(s.principal && { actorId: s.principal.id }) },
    );
    throw httpErrors.rateLimited(verdict.resetSeconds, headers);
  }
  for (const k in headers) ctx.set(k, headers[k]!);
}

export function rateLimitByIpMiddleware(opts: { limiter: Admissions; publisher: Publisher; now: () => number }) {
  return async function rateLimitByIp(ctx: JarvisContext, next: Next): Promise<void> {
    const tier = tierOf(ctx);
    const pending = tier === null ? undefined : enforce(ctx, opts, 'ip', ctx.state.ip, tier);
    if (pending) await pending;
    await next();
  };
}

export function rateLimitByPrincipalMiddleware(opts: { limiter: Admissions; publisher: Publisher; now: () => number }) {
  return async function rateLimitByPrincipal(ctx: JarvisContext, next: Next): Promise<void> {
    const tier = tierOf(ctx);
    const principal = ctx.state.principal;
    const pending = tier !== null && principal ? enforce(ctx, opts, 'principal', principal.id, tier) : undefined;
    if (pending) await pending;
    await next();
  };
}
