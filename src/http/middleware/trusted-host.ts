/**
 * Refuses a Host outside JARVIS_TRUSTED_HOSTS with 421. An entry with a port matches only
 * that port; one without matches any port. /health and /ready are exempt, for probes that
 * use an address.
 */
import type { Next } from 'koa';
import { InputRejected } from '../../../events/index.ts';
import type { Publisher } from '../../eventlog/publisher.ts';
import { publishAudited } from '../audited.ts';
import { httpErrors } from '../errors.ts';
import type { JarvisContext } from '../state.ts';

const EXEMPT = new Set(['/health', '/ready']);

export function hostMatcher(trusted: readonly string[]): (host: string) => boolean {
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  for (const entry of trusted) {
    const e = entry.toLowerCase();
    if (/:\d+$/.test(e) && !e.endsWith(']')) exact.add(e);
    else anyPort.add(e);
  }
  return (raw) => {
    const host = raw.toLowerCase();
    if (exact.has(host)) return true;
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
    return anyPort.has(name);
  };
}

export function trustedHostMiddleware(opts: { trustedHosts: readonly string[]; publisher: Publisher }) {
  if (opts.trustedHosts.length === 0) return async function trustedHost(_ctx: JarvisContext, next: Next) { await next(); };
  const matches = hostMatcher(opts.trustedHosts);
  return async function trustedHost(ctx: JarvisContext, next: Next): Promise<void> {
    if (!EXEMPT.has(ctx.path) && !matches(ctx.get('host'))) {
      const ip = ctx.state.ip;
      publishAudited(ctx, opts.publisher, InputRejected, { reason: 'untrusted_host', ip, principal: null, route: 'unmatched', status: 421, request_id: ctx.state.requestId, detail: null }, { key: ip, requestId: ctx.state.requestId, traceparent: ctx.state.traceparent });
      throw httpErrors.untrustedHost();
    }
    await next();
  };
}
