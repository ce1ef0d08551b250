/**
 * The audit read model as a store-backed projection: the ProjectionRunner calls `applyBatch`
 * inside the transaction that stores its positions, so rows and positions never disagree.
 * Idempotent by event id (a record delivered twice is stored once).
 *
 * Each record keeps the chain link it carries on the topic (`data.chain`, set by the projector).
 * The link is checked as it is stored — its hash against the content, its `prev` against the
 * stored neighbours (a chain spans several topic partitions, so neighbours may arrive in either
 * order) — and a broken link is stored anyway (the store mirrors the topic) and listed in
 * `audit_breaks`. Records published without a link (by an older version, or by anyone but the
 * projector) are chained by the store, per topic partition (`store/<n>`), in log order. Published chain heads
 * (ChainHeadPublished) go to `audit_heads`, the evidence verification checks against.
 */
import type Database from 'better-sqlite3';
import { ChainHeadPublished, SECURITY_EVENT_KINDS, SECURITY_TOPIC, type DataOf, type SecurityEventData } from '../../events/index.ts';
import type { AppliedEvent, StoreProjection } from '../projections/types.ts';
import { chainHash, GENESIS } from './chain.ts';
import type { Pseudonymizer } from './hmac.ts';
import { normalizeIp } from '../network/cidr.ts';
import { ipKey } from './ipkey.ts';
import { canonicalJson, toRecord, type AuditRecord, type ChainLink } from './record.ts';
import { dropAuditSchema, setupAuditSchema } from './schema.ts';

/** A link found broken while storing. */
export interface ChainBreak {
  readonly chain: string;
  readonly seq: number;
  readonly id: string;
  readonly kind: 'altered' | 'inserted';
  readonly detail: string;
}

export interface AuditProjectionOptions {
  readonly pseudonyms: Pseudonymizer;
  /** Topic name as the log knows it (with JARVIS_TOPIC_PREFIX). */
  readonly topic?: string;
  /** Called after a batch committed, with the records stored (the live tail's wake-up). */
  readonly onStored?: (records: readonly AuditRecord[]) => void;
  /** Called after a batch committed, with the links it found broken. */
  readonly onBreaks?: (breaks: readonly ChainBreak[]) => void;
}

type Tip = { seq: number; hash: string };

/** The chain of a record published without a link: the store's own, per topic partition. */
export const storeChain = (partition: number): string => `store/${partition}`;

/** The StoreProjection named `audit` over jarvis.security. */
export function auditProjection(opts: AuditProjectionOptions): StoreProjection {
  let stmts: ReturnType<typeof prepare> | null = null;
  let stmtsDb: Database.Database | null = null;
  let stored: AuditRecord[] = [];
  let broken: ChainBreak[] = [];

  function prepare(db: Database.Database) {
    return {
      exists: db.prepare('SELECT 1 FROM audit_events WHERE id = ?').pluck(),
      tip: db.prepare('SELECT seq, hash FROM audit_events WHERE chain = ? ORDER BY seq DESC LIMIT 1'),
      at: db.prepare('SELECT id, prev, hash FROM audit_events WHERE chain = ? AND seq = ?'),
      anchor: db.prepare('SELECT seq, hash FROM audit_anchors WHERE chain = ?'),
      head: db.prepare('INSERT OR IGNORE INTO audit_heads (chain, seq, hash, at_ms) VALUES (?, ?, ?, ?)'),
      broken: db.prepare('INSERT INTO audit_breaks (chain, seq, id, kind, detail) VALUES (@chain, @seq, @id, @kind, @detail)'),
      insert: db.prepare(`INSERT INTO audit_events (id, type, time_ms, ip, ip_key, principal, request_id, trace_id, outcome, caused_by, chain, seq, prev, hash, record)
        VALUES (@id, @type, @time_ms, @ip, @ip_key, @principal, @request_id, @trace_id, @outcome, @caused_by, @chain, @seq, @prev, @hash, @record)`),
    };
  }
  const s = (db: Database.Database) => {
    if (stmtsDb !== db || !stmts) {
      stmts = prepare(db);
      stmtsDb = db;
    }
    return stmts;
  };

  /** What is wrong with a carried link, given the stored neighbours, or null. */
  function check(st: ReturnType<typeof prepare>, link: ChainLink, raw: AuditRecord): Omit<ChainBreak, 'chain' | 'seq' | 'id'> | null {
    if (chainHash(link, raw) !== link.hash) return { kind: 'altered', detail: 'its content does not match its hash' };
    const same = st.at.get(link.partition, link.seq) as { id: string } | undefined;
    if (same) return { kind: 'inserted', detail: `position ${link.seq} is already held by ${same.id}` };
    const before = st.at.get(link.partition, link.seq - 1) as { hash: string } | undefined;
    const anchor = st.anchor.get(link.partition) as Tip | undefined;
    const expected = before?.hash ?? (link.seq === 1 ? GENESIS : anchor?.seq === link.seq - 1 ? anchor.hash : undefined);
    if (expected !== undefined && expected !== link.prev) return { kind: 'inserted', detail: 'it does not link to the record before it' };
    const next = st.at.get(link.partition, link.seq + 1) as { id: string; prev: string } | undefined;
    if (next && next.prev !== link.hash) return { kind: 'inserted', detail: `the record after it (${next.id}) does not link to it` };
    return null;
  }

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
      const tips = new Map<string, Tip>();
      const out: AuditRecord[] = [];
      const breaks: ChainBreak[] = [];
      for (const e of events) {
        const type = e.envelope.type;
        if (type === ChainHeadPublished.type) {
          const at = Date.parse(e.envelope.time);
          for (const h of (e.envelope.data as DataOf<typeof ChainHeadPublished>).heads) st.head.run(h.partition, h.seq, h.hash, at);
          continue;
        }
        if (!Object.hasOwn(SECURITY_EVENT_KINDS, type)) continue; // not a security event
        if (st.exists.get(e.envelope.id)) continue;
        const raw = toRecord(e.envelope);
        const record = opts.pseudonyms.record(raw);
        let link = (e.envelope.data as SecurityEventData).chain;
        if (link) {
          const problem = check(st, link, raw);
          if (problem) {
            const b = { chain: link.partition, seq: link.seq, id: raw.id, ...problem };
            st.broken.run(b);
            breaks.push(b);
          }
        } else {
          const chain = storeChain(e.partition);
          const tip = tips.get(chain) ?? (st.tip.get(chain) as Tip | undefined) ?? (st.anchor.get(chain) as Tip | undefined) ?? { seq: 0, hash: GENESIS };
          const at = { partition: chain, seq: tip.seq + 1, prev: tip.hash };
          link = { ...at, hash: chainHash(at, record) };
          tips.set(chain, { seq: link.seq, hash: link.hash });
        }
        const d = record.data;
        st.insert.run({
          id: record.id, type: record.type, time_ms: Date.parse(record.time), ip: d.ip === null ? null : (normalizeIp(d.ip) ?? d.ip), ip_key: ipKey(d.ip), principal: d.principal,
          request_id: d.request_id, trace_id: d.trace_id, outcome: d.outcome, caused_by: d.caused_by,
          chain: link.partition, seq: link.seq, prev: link.prev, hash: link.hash, record: canonicalJson(record),
        });
        out.push(record);
      }
      stored = out;
      broken = breaks;
    },
    afterCommit() {
      const records = stored;
      const breaks = broken;
      stored = [];
      broken = [];
      try {
        if (records.length > 0) opts.onStored?.(records);
        if (breaks.length > 0) opts.onBreaks?.(breaks);
      } catch {
        // a listener must never fail the projection
      }
    },
  };
}
