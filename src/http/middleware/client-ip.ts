/**
 * `clientIp` resolves the client IP (X-Forwarded-For only from trusted proxies); it runs
 * first so every later event names the client. `ipFilter` applies the filter after the host
 * check: outside JARVIS_ALLOWED_IPS (when set), in JARVIS_BLOCKED_IPS, or in an active
 * dynamic block from /admin/ip-blocks → 403.
 */
import type { Next } from 'koa';
import { InputRejected } from '../../../events/index.ts';
import type { Publisher } from '../../eventlog/publisher.ts';
import { CidrSet } from '../../network/cidr.ts';
import { createClientIpResolver } from '../../network/client-ip.ts';
import { publishAudited } from '../audited.ts';
import { httpErrors } from '../errors.ts';
import type { JarvisContext } from '../state.ts';

/** The dynamic block list, kept current by the ipblocks projection. */
export interface BlockList {
  /** True when `ip` (normalized) is inside an active block at `nowMs`. */
  isBlocked(ip: string, nowMs: number): boolean;
}

export function clientIpMiddleware(opts: { trustedProxies: readonly string[] }) {
  const resolve = createClientIpResolver(opts.trustedProxies);
  return async function clientIp(ctx: JarvisContext, next: Next): Promise<void> {
    ctx.state.ip = resolve(ctx.req.socket.remoteAddress, ctx.get('x-forwarded-for') || undefined);
    await next();
  };
}

export function ipFilterMiddleware(opts: {
  allowedIps: readonly string[];
  blockedIps: readonly string[];
  blocks: BlockList;
  publisher: Publisher;
  now: () => number;
}) {
  const allowed = opts.allowedIps.length > 0 ? new CidrSet(opts.allowedIps) : null;
  const blocked = new CidrSet(opts.blockedIps);
  return async function ipFilter(ctx: JarvisContext, next: Next): Promise<void> {
    const ip = ctx.state.ip;
    let reason: 'ip_not_allowed' | 'ip_blocked' | null = null;
    if (allowed && !allowed.has(ip)) reason = 'ip_not_allowed';
    else if (blocked.has(ip) || opts.blocks.isBlocked(ip, opts.now())) reason = 'ip_blocked';
    if (reason) {
      publishAudited(ctx, opts.publisher, InputRejected, { reason, ip, principal: null, route: 'unmatched', status: 403, request_id: ctx.state.requestId, detail: null }, { key: ip, requestId: ctx.state.requestId, traceparent: ctx.state.traceparent });
      throw reason === 'ip_blocked' ? httpErrors.ipBlocked() : httpErrors.ipNotAllowed();
    }
    await next();
  };
}
