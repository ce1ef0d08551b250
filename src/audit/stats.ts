/**
 * Grouped counts for investigations — "which IPs failed authentication more than 10 times in
 * the last hour, and what did each of them try?" — computed in SQL over the same filters:
 * per group its count, first and last time, and what it tried (routes with the kind of credential, principals,
 * reasons), each with its own count.
 */
import { whereOf, type AuditFilters } from './filters.ts';
import type { Pseudonymizer } from './hmac.ts';
import type { AuditStore } from './store.ts';

export const GROUP_BY = ['ip', 'principal', 'type', 'outcome', 'request_id'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface Group {
  readonly key: string | null;
  readonly count: number;
  readonly first: string;
  readonly last: string;
  /** `route (credential kind)` → count, from the records' details. */
  readonly tried: Record<string, number>;
  readonly principals: Record<string, number>;
  readonly reasons: Record<string, number>;
}

const counts = (rows: { k: string | null; c: number }[]) => Object.fromEntries(rows.filter((r) => r.k !== null).map((r) => [r.k!, r.c]));

/** Groups with at least `minCount` records, largest first, at most `limit` of them. */
export function groupStats(store: AuditStore, pseudo: Pseudonymizer, f: AuditFilters, by: GroupBy, minCount: number, limit: number, nowMs: number): Group[] {
  const w = whereOf(f, nowMs, pseudo);
  const db = store.db;
  const groups = db
    .prepare(`SELECT ${by} AS k, COUNT(*) AS c, MIN(time_ms) AS first, MAX(time_ms) AS last FROM audit_events WHERE ${w.sql} GROUP BY ${by} HAVING COUNT(*) >= ? ORDER BY c DESC, k LIMIT ?`)
    .all(...w.params, minCount, limit) as { k: string | null; c: number; first: number; last: number }[];
  const within = `${w.sql} AND ${by} IS ?`;
  const tried = db.prepare(`SELECT json_extract(record, '$.data.details.route') || COALESCE(' (' || json_extract(record, '$.data.details.method') || ')', '') AS k, COUNT(*) AS c FROM audit_events WHERE ${within} GROUP BY k ORDER BY c DESC LIMIT 20`);
  const principals = db.prepare(`SELECT principal AS k, COUNT(*) AS c FROM audit_events WHERE ${within} GROUP BY k ORDER BY c DESC LIMIT 20`);
  const reasons = db.prepare(`SELECT json_extract(record, '$.data.reason') AS k, COUNT(*) AS c FROM audit_events WHERE ${within} GROUP BY k ORDER BY c DESC LIMIT 20`);
  return groups.map((g) => {
    const args = [...w.params, g.k];
    return {
      key: g.k,
      count: g.c,
      first: new Date(g.first).toISOString(),
      last: new Date(g.last).toISOString(),
      tried: counts(tried.all(...args) as { k: string | null; c: number }[]),
      principals: counts(principals.all(...args) as { k: string | null; c: number }[]),
      reasons: counts(reasons.all(...args) as { k: string | null; c: number }[]),
    };
  });
}
