/**
 * The Koa application: the middleware chain in the contract's order of checks, then the
 * routes. Order (each step answers only if everything before it passed):
 *   access event (outermost, publishes when the response ends) → problem+json rendering →
 *   request id & trace → security headers → client IP → trusted host (421) → IP filter (403)
 *   → CORS preflight → route match → rate limit per IP (429) → 404 for unknown paths →
 *   authentication (401) → rate limit per principal (429) → authorization (403) →
 *   method (405) → content type (415), size (413), validation (400) → handler.
 */
import Router from '@koa/router';
import Koa from 'koa';
import type { Authenticator } from '../auth/authenticate.ts';
import type { Publisher } from '../eventlog/publisher.ts';
import type { Admissions } from '../ratelimit/limiter.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import { accessEventMiddleware, type RequestObservation } from './middleware/access-event.ts';
import { authenticateMiddleware } from './middleware/authenticate.ts';
import { authorizeMiddleware } from './middleware/authorize.ts';
import { bodyMiddleware } from './middleware/body.ts';
import { clientIpMiddleware, ipFilterMiddleware, type BlockList } from './middleware/client-ip.ts';
import { corsMiddleware } from './middleware/cors.ts';
import { methodMiddleware } from './middleware/method.ts';
import { notFound } from './middleware/not-found.ts';
import { problemMiddleware } from './middleware/problem.ts';
import { rateLimitByIpMiddleware, rateLimitByPrincipalMiddleware } from './middleware/rate-limit.ts';
import { requestContextMiddleware } from './middleware/request-context.ts';
import { createRouteTable, routeMatchMiddleware } from './middleware/route-match.ts';
import { securityHeadersMiddleware } from './middleware/security-headers.ts';
import { trustedHostMiddleware } from './middleware/trusted-host.ts';
import type { JarvisContext, JarvisState, RouteSpec } from './state.ts';

export interface AppOptions {
  readonly development: boolean;
  readonly instanceId: string;
  readonly trustedHosts: readonly string[];
  readonly trustedProxies: readonly string[];
  readonly allowedIps: readonly string[];
  readonly blockedIps: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly maxBodyBytes: number;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly publisher: Publisher;
  readonly authenticator: Authenticator;
  readonly limiter: Admissions;
  readonly blocks: BlockList;
  readonly routes: readonly RouteSpec[];
  readonly observe?: (o: RequestObservation) => void;
  readonly inFlight?: { inc(): void; dec(): void };
  readonly onError: (err: unknown, ctx: JarvisContext | null) => void;
}

export function createApp(o: AppOptions): Koa<JarvisState> {
  const app = new Koa<JarvisState>({ proxy: false });
  app.silent = true;
  app.on('error', (err, ctx) => o.onError(err, (ctx as JarvisContext | undefined) ?? null));
  const now = () => o.clock.now();

  // One @koa/router per route template: the route table below has already found the template
  // (the checks before the handler need it), so the router only parses params and picks the method.
  const routers = new Map<string, Router<JarvisState>>();
  for (const spec of o.routes) {
    const handler = spec.handler.bind(spec) as (ctx: JarvisContext) => Promise<void> | void;
    const router = routers.get(spec.path) ?? new Router<JarvisState>();
    router.register(spec.path, [spec.method], handler as never);
    routers.set(spec.path, router);
  }
  const dispatch = new Map([...routers].map(([template, router]) => [template, router.routes()]));
  const table = createRouteTable(o.routes);
  const use = (mw: (ctx: JarvisContext, next: Koa.Next) => Promise<void>) => app.use(mw as unknown as Koa.Middleware<JarvisState>);

  use(accessEventMiddleware({ publisher: o.publisher, instance: o.instanceId, now, observe: o.observe, inFlight: o.inFlight, onPublishError: (err) => o.onError(err, null) }));
  use(problemMiddleware({ development: o.development, onUnexpected: (err, ctx) => o.onError(err, ctx) }));
  use(requestContextMiddleware({ ids: o.ids, now }));
  use(securityHeadersMiddleware());
  use(clientIpMiddleware({ trustedProxies: o.trustedProxies }));
  use(trustedHostMiddleware({ trustedHosts: o.trustedHosts, publisher: o.publisher }));
  use(ipFilterMiddleware({ allowedIps: o.allowedIps, blockedIps: o.blockedIps, blocks: o.blocks, publisher: o.publisher, now }));
  use(corsMiddleware(o.allowedOrigins));
  use(routeMatchMiddleware(table));
  use(rateLimitByIpMiddleware({ limiter: o.limiter, publisher: o.publisher, now }));
  use(notFound);
  use(authenticateMiddleware({ authenticator: o.authenticator, publisher: o.publisher, instance: o.instanceId, now }));
  use(rateLimitByPrincipalMiddleware({ limiter: o.limiter, publisher: o.publisher, now }));
  use(authorizeMiddleware({ publisher: o.publisher, instance: o.instanceId }));
  use(methodMiddleware({ publisher: o.publisher }));
  use(bodyMiddleware({ maxBodyBytes: o.maxBodyBytes, publisher: o.publisher }));
  use(async function route(ctx: JarvisContext, next: Koa.Next): Promise<void> {
    // Every path reaching this point matched a template (unknown ones got 404 earlier).
    await dispatch.get(ctx.state.route!)!(ctx as never, next);
  });
  return app;
}
