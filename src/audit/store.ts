/**
 * Reads of the audit read model (`<dataDir>/audit.db`): filtered pages newest first with a
 * keyset cursor, a streaming iterator for exports, the arrival-ordered tail for live clients,
 * the chain rows for verification, and retention pruning. Its own connection (WAL: readers
 * never block the projection's writer).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ChainAnchor, ChainHead, ChainRow } from './chain.ts';
import { decodeCursor, encodeCursor, whereOf, type AuditFilters } from './filters.ts';
import type { Pseudonymizer } from './hmac.ts';
import type { AuditRecord, ChainLink } from './record.ts';
import type { ChainBreak } from './projection.ts';
import { setupAuditSchema } from './schema.ts';

/** A record as served: the stored record with its chain link (as the topic carried it) in `data.chain`. */
export type ServedRecord = AuditRecord & { data: AuditRecord['data'] & { chain: ChainLink } };

interface Row {
  n: number;
  time_ms: number;
  id: string;
  chain: string;
  seq: number;
  prev: string;
  hash: string;
  record: string;
}

const COLS = 'n, time_ms, id, chain, seq, prev, hash, record';

const linkOf = (r: Row): ChainLink => ({ partition: r.chain, seq: r.seq, prev: r.prev, hash: r.hash });

function served(r: Row): ServedRecord {
  const rec = JSON.parse(r.record) as AuditRecord;
  return { ...rec, data: { ...rec.data, chain: linkOf(r) } };
}

export interface Page {
  readonly events: ServedRecord[];
  readonly next_cursor: string | null;
}

export class AuditStore {
  readonly db: Database.Database;

  constructor(readonly file: string, private readonly pseudo: Pseudonymizer) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 10000');
    setupAuditSchema(this.db);
  }

  /** One page, newest first; `next_cursor` continues after its last record. */
  page(f: AuditFilters, limit: number, cursor: string | undefined, nowMs: number): Page {
    const w = whereOf(f, nowMs, this.pseudo);
    let sql = `SELECT ${COLS} FROM audit_events WHERE ${w.sql}`;
    const params = [...w.params];
    if (cursor) {
      const c = decodeCursor(cursor);
      sql += ' AND (time_ms < ? OR (time_ms = ? AND id < ?))';
      params.push(c.timeMs, c.timeMs, c.id);
    }
    sql += ' ORDER BY time_ms DESC, id DESC LIMIT ?';
    params.push(limit + 1);
    const rows = this.db.prepare(sql).all(...params) as Row[];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return { events: page.map(served), next_cursor: more && last ? encodeCursor(last.time_ms, last.id) : null };
  }

  /**
   * Every matching record, newest first, a page at a time: memory stays bounded and the
   * connection is free between pages (an open better-sqlite3 iterator would hold it busy while
   * the export waits for a slow client).
   */
  *pages(f: AuditFilters, nowMs: number, pageSize = 1000): Generator<ServedRecord[]> {
    let cursor: string | undefined;
    do {
      const p = this.page(f, pageSize, cursor, nowMs);
      if (p.events.length > 0) yield p.events;
      cursor = p.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Arrival position of a record (for Last-Event-ID), or null when it is unknown. */
  positionOf(id: string): number | null {
    return (this.db.prepare('SELECT n FROM audit_events WHERE id = ?').pluck().get(id) as number | undefined) ?? null;
  }

  /** The newest arrival position (0 when empty). */
  lastPosition(): number {
    return (this.db.prepare('SELECT MAX(n) FROM audit_events').pluck().get() as number | null) ?? 0;
  }

  /** Records that arrived after `position`, in arrival order, filtered. */
  after(position: number, f: AuditFilters, nowMs: number, max = 500): { position: number; record: ServedRecord }[] {
    const w = whereOf(f, nowMs, this.pseudo);
    const rows = this.db.prepare(`SELECT ${COLS} FROM audit_events WHERE n > ? AND ${w.sql} ORDER BY n LIMIT ?`).all(position, ...w.params, max) as Row[];
    return rows.map((r) => ({ position: r.n, record: served(r) }));
  }

  /** Every chain partition the store knows of (rows, anchors or published heads). */
  partitions(): string[] {
    const rows = this.db.prepare('SELECT DISTINCT chain FROM audit_events UNION SELECT chain FROM audit_anchors UNION SELECT chain FROM audit_heads').pluck().all() as string[];
    return rows.sort();
  }

  anchor(chain: string): ChainAnchor | undefined {
    return this.db.prepare('SELECT seq, hash FROM audit_anchors WHERE chain = ?').get(chain) as ChainAnchor | undefined;
  }

  /**
   * A chain's rows in order. `exact` is false for links carried from the topic when identifiers
   * are stored pseudonymized: the hash covers the clear record, so only the links can be checked here.
   */
  *chain(chain: string): Generator<ChainRow> {
    const exact = !this.pseudo.enabled || chain.startsWith('store/');
    for (const r of this.db.prepare(`SELECT ${COLS} FROM audit_events WHERE chain = ? ORDER BY seq, n`).iterate(chain)) {
      const row = r as Row;
      yield { link: linkOf(row), record: JSON.parse(row.record) as AuditRecord, exact };
    }
  }

  /** The stored row of record `id`, as served, or undefined. */
  byId(id: string): ServedRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLS} FROM audit_events WHERE id = ?`).get(id) as Row | undefined;
    return row ? served(row) : undefined;
  }

  /** The newest link of every chain. */
  tips(): ChainHead[] {
    return this.db.prepare('SELECT chain AS partition, MAX(seq) AS seq, hash FROM audit_events GROUP BY chain').all() as ChainHead[];
  }

  /** Records a published head (idempotent). */
  recordHead(h: ChainHead, atMs: number): void {
    this.db.prepare('INSERT OR IGNORE INTO audit_heads (chain, seq, hash, at_ms) VALUES (?, ?, ?, ?)').run(h.partition, h.seq, h.hash, atMs);
  }

  heads(chain: string): ChainHead[] {
    return this.db.prepare('SELECT chain AS partition, seq, hash FROM audit_heads WHERE chain = ? ORDER BY seq').all(chain) as ChainHead[];
  }

  /** Links found broken while storing, oldest first. */
  breaks(limit = 100): ChainBreak[] {
    return this.db.prepare('SELECT chain, seq, id, kind, detail FROM audit_breaks ORDER BY n LIMIT ?').all(limit) as ChainBreak[];
  }

  breakCount(): number {
    return this.db.prepare('SELECT COUNT(*) FROM audit_breaks').pluck().get() as number;
  }

  count(): number {
    return this.db.prepare('SELECT COUNT(*) FROM audit_events').pluck().get() as number;
  }

  /**
   * Retention: per chain, drops the chain prefix older than `cutoffMs` (up to the first
   * record at or after it, so the chain stays contiguous) and moves the anchor past it, in one
   * transaction. Returns how many records were dropped.
   */
  prune(cutoffMs: number): number {
    let dropped = 0;
    const firstKept = this.db.prepare('SELECT MIN(seq) FROM audit_events WHERE chain = ? AND time_ms >= ?').pluck();
    const maxSeq = this.db.prepare('SELECT MAX(seq) FROM audit_events WHERE chain = ?').pluck();
    const link = this.db.prepare('SELECT seq, hash FROM audit_events WHERE chain = ? AND seq = ?');
    const del = this.db.prepare('DELETE FROM audit_events WHERE chain = ? AND seq <= ?');
    const setAnchor = this.db.prepare('INSERT INTO audit_anchors (chain, seq, hash) VALUES (?, ?, ?) ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash');
    this.db.transaction(() => {
      for (const part of this.db.prepare('SELECT DISTINCT chain FROM audit_events').pluck().all() as string[]) {
        const keep = firstKept.get(part, cutoffMs) as number | null;
        const through = keep === null ? (maxSeq.get(part) as number) : keep - 1;
        if (through < 1) continue;
        const anchor = link.get(part, through) as ChainAnchor | undefined;
        if (!anchor) continue;
        dropped += del.run(part, through).changes;
        setAnchor.run(part, anchor.seq, anchor.hash);
      }
    }).immediate();
    return dropped;
  }

  close(): void {
    this.db.close();
  }
}
