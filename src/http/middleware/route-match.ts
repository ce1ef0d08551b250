/**
 * Finds the route template for the path (before any check that depends on it: the rate-limit
 * tier and the permission). Unknown paths are answered 404 after the IP's rate limit, so
 * scanning costs the scanner its budget.
 */
import type { Next } from 'koa';
import { setRequestRoute } from '../../telemetry/tracing.ts';
import type { JarvisContext, RouteSpec } from '../state.ts';

interface Compiled {
  readonly template: string;
  readonly regex: RegExp;
  readonly specs: RouteSpec[];
}

/** Compiles `/a/:b` templates; returns a function from a path to its template and specs. */
export function createRouteTable(specs: readonly RouteSpec[]): (path: string) => { template: string; specs: readonly RouteSpec[] } | null {
  const exact = new Map<string, Compiled>();
  const patterned: Compiled[] = [];
  for (const spec of specs) {
    const known = exact.get(spec.path) ?? patterned.find((c) => c.template === spec.path);
    if (known) {
      if (known.specs[0]!.access !== spec.access) throw new TypeError(`routes on ${spec.path} must share one access rule`);
      known.specs.push(spec);
      continue;
    }
    const source = spec.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([A-Za-z_]+)/g, '[^/]+');
    const compiled = { template: spec.path, regex: new RegExp(`^${source}/?$`), specs: [spec] };
    if (spec.path.includes(':')) patterned.push(compiled);
    else exact.set(spec.path, compiled);
  }
  return (path) => {
    const hit = exact.get(path) ?? (path.length > 1 && path.endsWith('/') ? exact.get(path.slice(0, -1)) : undefined);
    if (hit) return { template: hit.template, specs: hit.specs };
    for (const c of patterned) if (c.regex.test(path)) return { template: c.template, specs: c.specs };
    return null;
  };
}

export function routeMatchMiddleware(table: ReturnType<typeof createRouteTable>) {
  return async function routeMatch(ctx: JarvisContext, next: Next): Promise<void> {
    const hit = table(ctx.path);
    if (hit) {
      ctx.state.route = hit.template;
      ctx.state.routeSpecs = hit.specs;
      setRequestRoute(hit.template);
    }
    await next();
  };
}
