/**
 * Browser security headers from helmet (HSTS included: the app sets them itself, not only a
 * proxy). helmet's output is fixed for our options, so it is computed once at start and
 * replayed onto each response — the same headers for a fraction of the per-request cost.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Next } from 'koa';
import type { JarvisContext } from '../state.ts';

/** The security headers every response carries, as [name, value] pairs (helmet's, plus Permissions-Policy). */
export function securityHeaderList(): [string, string][] {
  const headers = new Map<string, string>();
  const fakeRes = {
    setHeader: (k: string, v: string | number | string[]) => headers.set(k, String(v)),
    removeHeader: (k: string) => headers.delete(k),
    getHeader: (k: string) => headers.get(k),
  } as unknown as ServerResponse;
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
    strictTransportSecurity: { maxAge: 63_072_000, includeSubDomains: true, preload: false },
    crossOriginResourcePolicy: { policy: 'same-site' },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  })({} as IncomingMessage, fakeRes, () => undefined);
  headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  return [...headers.entries()];
}

export function securityHeadersMiddleware() {
  const headers = securityHeaderList();
  return async function securityHeaders(ctx: JarvisContext, next: Next): Promise<void> {
    const res = ctx.res;
    for (const [k, v] of headers) res.setHeader(k, v);
    await next();
  };
}
