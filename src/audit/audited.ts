/**
 * Queries against the audit log are themselves audited: each read publishes a
 * `jarvis.security.audit_queried.v1` record (JRV-AUDIT-001) straight to jarvis.security — no raw
 * event type describes a read, and this one is complete as it is. The response carries its id
 * as `Audit-Id`. Filter values that identify someone are pseudonymized like stored records.
 */
import { SECURITY_EVENT_KINDS, SecurityEvents } from '../../events/index.ts';
import type { Publisher } from '../eventlog/publisher.ts';
import type { JarvisContext } from '../http/state.ts';
import type { Pseudonymizer } from './hmac.ts';

const KIND = 'jarvis.security.audit_queried.v1';

/** Publishes the record for one audit read and sets `Audit-Id`. */
export function auditRead(publisher: Publisher, pseudo: Pseudonymizer, ctx: JarvisContext, action: 'query' | 'export' | 'live' | 'stats' | 'verify' | 'hmac', filters: Record<string, unknown>, extra: Record<string, string | number | boolean | null> = {}): void {
  const s = ctx.state;
  const details: Record<string, string | number | boolean | null> = { action, ...extra };
  for (const [k, v] of Object.entries(filters)) {
    if (v === undefined || k === 'cursor') continue;
    const text = String(v).slice(0, 128);
    details[`filter_${k}`] = k === 'principal' || (k === 'ip' && pseudo.ips) ? pseudo.of(text) : text;
  }
  const spec = SECURITY_EVENT_KINDS[KIND];
  const principal = s.principal?.id ?? null;
  const env = publisher.publish(
    SecurityEvents[KIND],
    {
      code: spec.code, severity: spec.severity, ip: s.ip, principal, request_id: s.requestId,
      trace_id: /^[0-9a-f]{32}$/.test(s.traceId) && !/^0+$/.test(s.traceId) ? s.traceId : null,
      outcome: 'granted', reason: `audit log ${action}`, caused_by: `request:${s.requestId}`, details,
    },
    { key: s.ip, subject: s.ip, requestId: s.requestId, traceparent: s.traceparent, ...(principal && { actorId: principal }) },
  );
  s.auditId = env.id;
  ctx.set('Audit-Id', env.id);
}
