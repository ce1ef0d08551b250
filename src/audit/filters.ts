/**
 * Audit query filters: the query-string schema (shared by /admin/audit, /export, /live and
 * /stats) and its translation into SQL conditions that each hit an index.
 */
import { z } from 'zod';
import { SECURITY_EVENT_KINDS } from '../../events/index.ts';
import { httpErrors } from '../http/errors.ts';
import { isValidCidr, parseCidr } from '../network/cidr.ts';
import type { Pseudonymizer } from './hmac.ts';
import { cidrKeyRange } from './ipkey.ts';
import { isTimeBound, parseTimeBound } from './time.ts';

const OUTCOMES = ['denied', 'granted', 'blocked', 'detected', 'changed'] as const;
const TYPE_BY_ALIAS = new Map<string, string>();
for (const [type, kind] of Object.entries(SECURITY_EVENT_KINDS)) {
  TYPE_BY_ALIAS.set(type, type);
  TYPE_BY_ALIAS.set(kind.code.toLowerCase(), type);
  TYPE_BY_ALIAS.set(type.replace(/^jarvis\.security\./, '').replace(/\.v\d+$/, ''), type);
}

/** `auth_failed`, `JRV-AUTH-001` or `jarvis.security.auth_failed.v1` → the CloudEvents type. */
export function resolveType(alias: string): string | undefined {
  return TYPE_BY_ALIAS.get(alias.trim().toLowerCase()) ?? TYPE_BY_ALIAS.get(alias.trim());
}

const list = (check: (v: string) => boolean, message: string) => z.string().min(1).max(1000).refine((s) => s.split(',').every((v) => check(v)), message);
const ident = z.string().min(1).max(128);

/** The filters every audit read accepts. */
export const AuditFilters = z.strictObject({
  type: list((v) => resolveType(v) !== undefined, 'security event types, short names (auth_failed) or codes (JRV-AUTH-001), comma-separated').optional(),
  since: z.string().max(40).refine(isTimeBound, 'ISO 8601 or relative (15m, 1h, 7d)').optional(),
  until: z.string().max(40).refine(isTimeBound, 'ISO 8601 or relative (15m, 1h, 7d)').optional(),
  ip: z.string().max(64).refine((v) => v.startsWith('hmac:') || isValidCidr(v), 'an IPv4/IPv6 address or CIDR range').optional(),
  principal: ident.optional(),
  request_id: ident.optional(),
  trace_id: z.string().regex(/^[0-9a-f]{32}$/).optional(),
  outcome: list((v) => (OUTCOMES as readonly string[]).includes(v), `one or more of ${OUTCOMES.join(', ')}`).optional(),
  id: ident.optional(),
  caused_by: ident.optional(),
});
export type AuditFilters = z.infer<typeof AuditFilters>;

/** A WHERE clause and its parameters. */
export interface Where {
  readonly sql: string;
  readonly params: unknown[];
}

/** Translates filters into SQL; relative times count back from `nowMs`. */
export function whereOf(f: AuditFilters, nowMs: number, pseudo: Pseudonymizer): Where {
  const conds: string[] = [];
  const params: unknown[] = [];
  const add = (cond: string, ...values: unknown[]) => {
    conds.push(cond);
    params.push(...values);
  };
  const inList = (col: string, values: string[]) => {
    conds.push(values.length === 1 ? `${col} = ?` : `${col} IN (${values.map(() => '?').join(',')})`);
    params.push(...values);
  };
  if (f.type) inList('type', [...new Set(f.type.split(',').map((t) => resolveType(t)!))]);
  if (f.outcome) inList('outcome', [...new Set(f.outcome.split(','))]);
  const since = f.since === undefined ? null : parseTimeBound(f.since, nowMs);
  const until = f.until === undefined ? null : parseTimeBound(f.until, nowMs);
  if (since !== null) add('time_ms >= ?', since);
  if (until !== null) add('time_ms < ?', until);
  if (since !== null && until !== null && since >= until) throw httpErrors.badRequest('`since` must be before `until`.');
  if (f.ip) {
    if (f.ip.startsWith('hmac:')) add('ip = ?', f.ip);
    else {
      const [addr, bits] = parseCidr(f.ip);
      const single = bits === (addr.kind() === 'ipv4' ? 32 : 128);
      if (pseudo.ips) {
        if (!single) throw httpErrors.badRequest('IPs are stored as HMACs (JARVIS_AUDIT_HMAC_IPS): filter by one address, not a range.');
        conds.push('ip = ?');
        params.push(pseudo.of(addr.toString()));
      } else if (single) {
        conds.push('ip = ?');
        params.push(addr.toString());
      } else {
        const { lo, hi } = cidrKeyRange(f.ip);
        conds.push('ip_key BETWEEN ? AND ?');
        params.push(lo, hi);
      }
    }
  }
  if (f.principal) add('principal = ?', pseudo.of(f.principal));
  if (f.request_id) add('request_id = ?', f.request_id);
  if (f.trace_id) add('trace_id = ?', f.trace_id);
  if (f.id) add('id = ?', f.id);
  if (f.caused_by) add('caused_by = ?', f.caused_by);
  return { sql: conds.length ? conds.join(' AND ') : '1', params };
}

/** Opaque keyset cursor over (time, id): stable while new records arrive. */
export function encodeCursor(timeMs: number, id: string): string {
  return Buffer.from(`${timeMs}:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { timeMs: number; id: string } {
  const m = /^(\d{1,16}):(.{1,128})$/s.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw httpErrors.validation([{ path: 'cursor', message: 'not a cursor this API returned' }]);
  return { timeMs: Number(m[1]), id: m[2]! };
}
