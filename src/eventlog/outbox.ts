/**
 * The durable outbox: an SQLite table (WAL, fsync on commit) of records not yet delivered to
 * the log. One file per data directory (`<dataDir>/outbox.db`), shared by the processes that
 * use that directory: each appends its own rows, and exactly one relay at a time (holder of
 * the `relay_lease` row) drains them in id order. A crashed process's rows are therefore
 * delivered by whichever process holds the lease next — nothing is orphaned when a restart
 * comes back with a new instance id.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WAL_BACKSTOP_PAGES } from '../shared/wal-checkpointer.ts';
import type { LogRecord } from './types.ts';

/** A record waiting in the outbox; `id` grows in commit order. */
export interface OutboxRow {
  readonly id: number;
  readonly record: LogRecord;
}

/** A record as the publisher stages it: the value still a string (encoded when committed). */
export interface StagedRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export class Outbox {
  private readonly db: Database.Database;
  private readonly stmts;
  private readonly insertMany: (rows: readonly StagedRecord[]) => number;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = (this.db = new Database(file));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 10000');
    // Checkpoints run on a worker thread (shared/wal-checkpointer.ts); this is the backstop.
    db.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
    db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        topic TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, headers TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS relay_lease (
        id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, expires_at INTEGER NOT NULL
      );`);
    this.stmts = {
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      insert: db.prepare('INSERT INTO outbox (topic, key, value, headers) VALUES (?, ?, ?, ?)'),
      bounds: db.prepare('SELECT MIN(id) AS lo, MAX(id) AS hi FROM outbox'),
      peek: db.prepare('SELECT id, topic, key, value, headers FROM outbox ORDER BY id LIMIT ?'),
      remove: db.prepare('DELETE FROM outbox WHERE id <= ?'),
      pending: db.prepare('SELECT 1 FROM outbox WHERE id <= ? LIMIT 1').pluck(),
      lease: db.prepare(`INSERT INTO relay_lease (id, owner, expires_at) VALUES (1, ?, ?)
        ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
        WHERE relay_lease.owner = excluded.owner OR relay_lease.expires_at <= ?`),
      unlease: db.prepare('DELETE FROM relay_lease WHERE id = 1 AND owner = ?'),
    };
    const tx = db.transaction((rows: readonly StagedRecord[]) => {
      let last = 0;
      for (const r of rows) last = Number(this.stmts.insert.run(r.topic, r.key, Buffer.from(r.value, 'utf8'), JSON.stringify(r.headers)).lastInsertRowid);
      return last;
    });
    this.insertMany = (rows) => tx.immediate(rows);
  }

  /** Appends in one transaction, durable when it returns; gives the id of the last row. */
  append(rows: readonly StagedRecord[]): number {
    return this.insertMany(rows);
  }

  /** Rows waiting, counted from the id range (rows leave only as an id prefix, so this is exact and O(log n)). */
  depth(): number {
    const { lo, hi } = this.stmts.bounds.get() as { lo: number | null; hi: number | null };
    return lo === null || hi === null ? 0 : hi - lo + 1;
  }

  /** The oldest `limit` rows, in order. */
  peek(limit: number): OutboxRow[] {
    const rows = this.stmts.peek.all(limit) as { id: number; topic: string; key: string; value: Buffer; headers: string }[];
    return rows.map((r) => ({ id: r.id, record: { topic: r.topic, key: r.key, value: r.value, headers: JSON.parse(r.headers) as Record<string, string> } }));
  }

  /** Forgets every row up to `id` (after the log accepted them). */
  remove(uptoId: number): void {
    this.stmts.remove.run(uptoId);
  }

  /** True while some row with id ≤ `id` is still waiting. */
  hasPendingUpTo(id: number): boolean {
    return this.stmts.pending.get(id) !== undefined;
  }

  /** Takes or renews the relay lease; true when `owner` holds it until `now + ttlMs`. */
  lease(owner: string, now: number, ttlMs: number): boolean {
    return this.stmts.lease.run(owner, now + ttlMs, now).changes > 0;
  }

  unlease(owner: string): void {
    this.stmts.unlease.run(owner);
  }

  /** Changes when another connection (another process's publisher) committed. */
  dataVersion(): number {
    return this.stmts.dataVersion.get() as number;
  }

  close(): void {
    this.db.close();
  }
}
