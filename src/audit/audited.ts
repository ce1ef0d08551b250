/**
 * Queries against the audit log are themselves audited: each read publishes a raw AuditRead
 * event, which the projector turns into a `jarvis.security.audit_queried.v1` record
 * (JRV-AUDIT-001) linked into the hash chain like every other security record. The response
 * carries that record's id as `Audit-Id`. Filter values that identify someone are pseudonymized
 * like stored records.
 */
import { AuditRead } from '../../events/index.ts';
import type { Publisher } from '../eventlog/publisher.ts';
import { publishAudited } from '../http/audited.ts';
import type { JarvisContext } from '../http/state.ts';
import type { Pseudonymizer } from './hmac.ts';

/** Publishes the record for one audit read and sets `Audit-Id`. */
export function auditRead(publisher: Publisher, pseudo: Pseudonymizer, ctx: JarvisContext, action: 'query' | 'export' | 'live' | 'stats' | 'verify' | 'hmac', filters: Record<string, unknown>, extra: Record<string, string | number | boolean | null> = {}): void {
  const s = ctx.state;
  const details: Record<string, string | number | boolean | null> = { ...extra };
  for (const [k, v] of Object.entries(filters)) {
    if (v === undefined || k === 'cursor') continue;
    const text = String(v).slice(0, 128);
    details[`filter_${k}`] = k === 'principal' || (k === 'ip' && pseudo.ips) ? pseudo.of(text) : text;
  }
  const principal = s.principal?.id ?? null;
  publishAudited(ctx, publisher, AuditRead, { action, ip: s.ip, principal, request_id: s.requestId, details }, { key: s.ip, subject: s.ip, requestId: s.requestId, traceparent: s.traceparent, ...(principal && { actorId: principal }) });
}
