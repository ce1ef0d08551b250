/**
 * The audit read model as a store-backed projection: the ProjectionRunner calls `applyBatch`
 * inside the transaction that stores its positions, so rows and positions never disagree.
 * Idempotent by event id (a record delivered twice is stored once); chain links are computed
 * in log order per partition, so a replay or a rebuild from the same log gives the same rows.
 */
import type Database from 'better-sqlite3';
import { SECURITY_TOPIC } from '../../events/index.ts';
import type { AppliedEvent, StoreProjection } from '../projections/types.ts';
import { chainHash, GENESIS } from './chain.ts';
import type { Pseudonymizer } from './hmac.ts';
import { normalizeIp } from '../network/cidr.ts';
import { ipKey } from './ipkey.ts';
import { canonicalJson, toRecord, type AuditRecord } from './record.ts';
import { dropAuditSchema, setupAuditSchema } from './schema.ts';

export interface AuditProjectionOptions {
  readonly pseudonyms: Pseudonymizer;
  /** Topic name as the log knows it (with JARVIS_TOPIC_PREFIX). */
  readonly topic?: string;
  /** Called after a batch committed, with the records stored (the live tail's wake-up). */
  readonly onStored?: (records: readonly AuditRecord[]) => void;
}

type Tip = { seq: number; hash: string };

/** The StoreProjection named `audit` over jarvis.security. */
export function auditProjection(opts: AuditProjectionOptions): StoreProjection {
  let stmts: ReturnType<typeof prepare> | null = null;
  let stmtsDb: Database.Database | null = null;
  let stored: AuditRecord[] = [];

  function prepare(db: Database.Database) {
    return {
      exists: db.prepare('SELECT 1 FROM audit_events WHERE id = ?').pluck(),
      tip: db.prepare('SELECT seq, hash FROM audit_events WHERE part = ? ORDER BY seq DESC LIMIT 1'),
      anchor: db.prepare('SELECT seq, hash FROM audit_anchors WHERE part = ?'),
      insert: db.prepare(`INSERT INTO audit_events (id, type, time_ms, ip, ip_key, principal, request_id, trace_id, outcome, caused_by, part, seq, prev, hash, record)
        VALUES (@id, @type, @time_ms, @ip, @ip_key, @principal, @request_id, @trace_id, @outcome, @caused_by, @part, @seq, @prev, @hash, @record)`),
    };
  }
  const s = (db: Database.Database) => {
    if (stmtsDb !== db || !stmts) {
      stmts = prepare(db);
      stmtsDb = db;
    }
    return stmts;
  };

  return {
    name: 'audit',
    topics: [opts.topic ?? SECURITY_TOPIC],
    setup(db) {
      setupAuditSchema(db);
      stmts = null;
    },
    drop(db) {
      dropAuditSchema(db);
      stmts = null;
    },
    applyBatch(db, events: readonly AppliedEvent[]) {
      const st = s(db);
      const tips = new Map<number, Tip>();
      const out: AuditRecord[] = [];
      for (const e of events) {
        if (!e.envelope.type.startsWith('jarvis.security.')) continue;
        if (st.exists.get(e.envelope.id)) continue;
        let tip = tips.get(e.partition);
        if (!tip) tip = (st.tip.get(e.partition) as Tip | undefined) ?? (st.anchor.get(e.partition) as Tip | undefined) ?? { seq: 0, hash: GENESIS };
        const record = opts.pseudonyms.record(toRecord(e.envelope));
        const hash = chainHash(tip.hash, record);
        const d = record.data;
        st.insert.run({
          id: record.id, type: record.type, time_ms: Date.parse(record.time), ip: d.ip === null ? null : (normalizeIp(d.ip) ?? d.ip), ip_key: ipKey(d.ip), principal: d.principal,
          request_id: d.request_id, trace_id: d.trace_id, outcome: d.outcome, caused_by: d.caused_by,
          part: e.partition, seq: tip.seq + 1, prev: tip.hash, hash, record: canonicalJson(record),
        });
        tips.set(e.partition, { seq: tip.seq + 1, hash });
        out.push(record);
      }
      stored = out;
    },
    afterCommit() {
      const records = stored;
      stored = [];
      if (records.length > 0) {
        try {
          opts.onStored?.(records);
        } catch {
          // a live-tail listener must never fail the projection
        }
      }
    },
  };
}
