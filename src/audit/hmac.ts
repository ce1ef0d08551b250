/**
 * Keyed pseudonyms for identifiers that could be sensitive (JARVIS_AUDIT_HMAC_KEY): key ids,
 * session ids and, optionally, client IPs are stored as `hmac:<24 hex>` instead of in clear.
 * The same key turns a known value into the same pseudonym, so an analyst can still search
 * for it (POST /admin/audit/hmac), and queries pseudonymize their filters automatically.
 */
import { createHmac } from 'node:crypto';
import type { SecurityEventData } from '../../events/index.ts';
import type { Secret } from '../shared/secret.ts';
import type { AuditRecord } from './record.ts';

/** `details` fields that hold key or session ids. */
const ID_DETAILS = ['key_id', 'session_id', 'successor_id', 'rotated_from', 'revoked_by'] as const;

export interface Pseudonymizer {
  readonly enabled: boolean;
  readonly ips: boolean;
  /** The pseudonym of `value` (unchanged when no key is configured). */
  of(value: string): string;
  /** A stored record: identifiers replaced by their pseudonyms. Pure. */
  record(r: AuditRecord): AuditRecord;
}

/** With no key, the identity. */
export function createPseudonymizer(key: Secret | undefined, ips: boolean): Pseudonymizer {
  if (!key) return { enabled: false, ips: false, of: (v) => v, record: (r) => r };
  const of = (v: string) => (v.startsWith('hmac:') ? v : `hmac:${createHmac('sha256', key.reveal()).update(v).digest('hex').slice(0, 24)}`);
  const maybe = (v: string | null) => (v === null ? null : of(v));
  return {
    enabled: true,
    ips,
    of,
    record(r) {
      const d = r.data;
      let details = d.details;
      if (details) {
        details = { ...details };
        for (const f of ID_DETAILS) if (typeof details[f] === 'string') details[f] = of(details[f]);
      }
      const data: SecurityEventData = { ...d, principal: maybe(d.principal), ip: ips ? maybe(d.ip) : d.ip, ...(details && { details }) };
      const subject = r.subject === null ? null : r.subject === d.principal || (ips && r.subject === d.ip) ? of(r.subject) : r.subject;
      return { ...r, subject, data };
    },
  };
}
