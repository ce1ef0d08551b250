/**
 * Folding raw request facts into bounded label values. A label value that came from a client
 * (a path, a method, a header) would let anyone mint new time series; these functions map
 * everything onto closed sets first.
 */
import { SECURITY_EVENT_KINDS, type SecurityEventType } from '../../events/security.ts';
import { HTTP_METHODS, UNMATCHED_ROUTE } from './names.ts';

export type HttpMethodLabel = (typeof HTTP_METHODS)[number] | 'OTHER';
export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

/** An HTTP method as a label: the standard ones, everything else `OTHER`. */
export function methodLabel(method: string): HttpMethodLabel {
  const m = method.toUpperCase();
  return (HTTP_METHODS as readonly string[]).includes(m) ? (m as HttpMethodLabel) : 'OTHER';
}

/** `404` → `4xx`. Out-of-range codes count as server errors: something produced them. */
export function statusClass(status: number): StatusClass {
  if (status >= 100 && status < 200) return '1xx';
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 300 && status < 400) return '3xx';
  if (status >= 400 && status < 500) return '4xx';
  return '5xx';
}

/**
 * The route label: the router's template (`/admin/keys/:id`), or `unmatched`.
 * With `known` given, anything outside it is `unmatched` too: a guard against a caller
 * passing `ctx.path` by mistake.
 */
export function routeLabel(template: string | undefined | null, known?: ReadonlySet<string>): string {
  if (!template) return UNMATCHED_ROUTE;
  if (known && !known.has(template)) return UNMATCHED_ROUTE;
  return template;
}

/** Short label for a security event type: `jarvis.security.auth_failed.v1` → `auth_failed`. */
export function securityTypeLabel(type: SecurityEventType): string {
  return /^jarvis\.security\.([a-z_]+)\.v\d+$/.exec(type)?.[1] ?? 'other';
}

/** Every security-event type label with its severity (dashboards and tests enumerate them). */
export const SECURITY_TYPE_LABELS: ReadonlyArray<{ readonly type: string; readonly severity: string; readonly code: string }> = Object.entries(
  SECURITY_EVENT_KINDS,
).map(([type, kind]) => ({ type: securityTypeLabel(type as SecurityEventType), severity: kind.severity, code: kind.code }));
