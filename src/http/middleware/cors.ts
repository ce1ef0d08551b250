/**
 * CORS from JARVIS_ALLOWED_ORIGINS: an allowed origin is echoed (never `*` with credentials);
 * a foreign origin gets no CORS headers, so the browser blocks it. Preflights are answered
 * here, before authentication, because browsers send them without credentials.
 */
import type { Next } from 'koa';
import type { JarvisContext } from '../state.ts';

const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Request-Id, Accept, Last-Event-ID';
const EXPOSED_HEADERS = 'X-Request-Id, Audit-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy, RateLimit, WWW-Authenticate';

export function corsMiddleware(allowedOrigins: readonly string[]) {
  const any = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);
  return async function cors(ctx: JarvisContext, next: Next): Promise<void> {
    const origin = ctx.get('origin');
    if (!origin) return next();
    ctx.vary('Origin');
    const ok = any || allowed.has(origin);
    if (ok) {
      ctx.set('Access-Control-Allow-Origin', any ? '*' : origin);
      ctx.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
      if (ok) {
        ctx.set('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
        ctx.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        ctx.set('Access-Control-Max-Age', '600');
      }
      ctx.status = 204;
      return;
    }
    await next();
  };
}
