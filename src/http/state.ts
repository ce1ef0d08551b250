/** What the middleware chain keeps in `ctx.state`, and how a route is declared. */
import type { z } from 'zod';
import type { Permission } from '../../events/define.ts';
import type { Principal } from '../auth/authenticate.ts';
import type { RateVerdict, Tier } from '../ratelimit/limiter.ts';
import type { Context } from 'koa';

/** Who may call a route: nobody special, any API key (not a JWT), any JWT, or a permission. */
export type Access = 'public' | 'api_key' | 'jwt' | Permission;

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  /** @koa/router path template, e.g. `/admin/keys/:id`. */
  readonly path: string;
  readonly access: Access;
  /** Rate-limit tier, or null for routes that are not limited (/health, /ready, /openapi.json). */
  readonly tier: Tier | null;
  readonly summary: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  /** Extra permissions a valid body may demand (e.g. `stream_audio` needs `stream`). */
  readonly extraPermissions?: (body: unknown) => readonly Permission[];
  readonly responses: Readonly<Record<string, { description: string; schema?: z.ZodType; contentType?: string }>>;
  handler(ctx: JarvisContext): Promise<void> | void;
}

export interface JarvisState {
  requestId: string;
  traceparent: string;
  traceId: string;
  startedAt: number;
  ip: string;
  /** The matched route template, or null when no route matches the path. */
  route: string | null;
  routeSpecs: readonly RouteSpec[];
  principal: Principal | null;
  rate: RateVerdict | null;
  body: unknown;
  query: unknown;
  bytesIn: number;
  /** Bytes streamed by handlers that send no Content-Length. */
  bytesOut?: number;
  /** Id of the security event this request caused, for the Audit-Id header. */
  auditId: string | null;
  /** The code of the problem answered, for the access event. */
  errorCode: string | null;
}

export type JarvisContext = Context & { state: JarvisState; params: Record<string, string> };
