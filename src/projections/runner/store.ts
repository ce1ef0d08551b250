/**
 * Where a projection set keeps its state: `<dataDir>/projections.db` (SQLite, WAL, fsync on
 * commit). Per set: its generation (which names its consumer group; a rebuild starts a new
 * one), the last applied offset per partition, a snapshot per projection, the recent event ids
 * (in chunks: each snapshot adds the ids applied since the last one and drops chunks older than
 * the dedupe capacity needs), and a journal of the records applied since that snapshot. State = snapshot + journal,
 * always committed in the same transaction as the positions, so a crash loses nothing and
 * counts nothing twice. Store-backed projections write their tables in that transaction too.
 *
 * A new generation starts out `building` (a first build or a rebuild, replaying the log from the
 * beginning): until it has caught up nothing is journaled and commits skip the fsync, because a
 * build that crashes is simply started again; catching up writes one snapshot with all
 * positions (fsynced) and ends the building phase.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WAL_BACKSTOP_PAGES } from '../../shared/wal-checkpointer.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runner_sets (
  set_name TEXT PRIMARY KEY,
  generation TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  suppress_through TEXT NOT NULL DEFAULT '{}',
  recent_ids TEXT NOT NULL DEFAULT '[]',
  building INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS runner_positions (
  set_name TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, "offset" TEXT NOT NULL, ts INTEGER NOT NULL,
  PRIMARY KEY (set_name, topic, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runner_snapshots (
  set_name TEXT NOT NULL, projection TEXT NOT NULL, state TEXT NOT NULL, taken_at INTEGER NOT NULL,
  PRIMARY KEY (set_name, projection)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runner_recent (
  set_name TEXT NOT NULL, seq INTEGER NOT NULL, count INTEGER NOT NULL, ids TEXT NOT NULL,
  PRIMARY KEY (set_name, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runner_journal (
  set_name TEXT NOT NULL, seq INTEGER NOT NULL, topic TEXT NOT NULL, value BLOB NOT NULL,
  PRIMARY KEY (set_name, seq)
) WITHOUT ROWID;
`;

/** Opens (creating) a projections database. */
export function openProjectionsDb(file: string): Database.Database {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 10000');
  // Pages read through a memory map: several connections write this file, and each commit by
  // another one empties a connection's page cache; re-reading through mmap costs no syscall.
  db.pragma('mmap_size = 268435456');
  // Checkpoints run on a worker thread (shared/wal-checkpointer.ts); this is the backstop.
  db.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
  db.exec(SCHEMA);
  return db;
}

export interface SetMeta {
  readonly generation: string;
  /** topic:partition → offset: records at or below were derived from before a rebuild (emit nothing again). */
  readonly suppressThrough: Record<string, string>;
  /** True until the generation first caught up with the log. */
  readonly building: boolean;
}

export interface StoredPosition {
  readonly offset: string;
  readonly ts: number;
}

export interface JournalRow {
  readonly topic: string;
  readonly value: Buffer;
}

/** What one batch commits. */
export interface BatchWrite {
  readonly positions: ReadonlyMap<string, { topic: string; partition: number; offset: string; ts: number }>;
  /** Journal rows to add (when no snapshot is taken). */
  readonly journal?: readonly JournalRow[];
  /**
   * A snapshot replaces the journal: projection name → JSON text (only those that changed), the
   * event ids applied since the last snapshot, and how many recent ids must stay stored.
   */
  readonly snapshot?: { readonly states: ReadonlyMap<string, string>; readonly newIds: readonly string[]; readonly keepIds: number; readonly at: number };
  /** Ends the building phase in this transaction. */
  readonly built?: boolean;
}

/** The set's rows in projections.db; every method is synchronous (better-sqlite3). */
export class RunnerStore {
  private readonly s;
  private journalSeq = 0;
  /** The stored chunks of recent ids, oldest first. */
  private chunks: { seq: number; count: number }[] = [];

  constructor(readonly db: Database.Database, readonly setName: string) {
    this.s = {
      meta: db.prepare('SELECT generation, suppress_through, building FROM runner_sets WHERE set_name = ?'),
      createMeta: db.prepare('INSERT INTO runner_sets (set_name, generation, created_at, suppress_through, building) VALUES (?, ?, ?, ?, ?)'),
      built: db.prepare('UPDATE runner_sets SET building = 0 WHERE set_name = ?'),
      positions: db.prepare('SELECT topic, partition, "offset", ts FROM runner_positions WHERE set_name = ?'),
      putPosition: db.prepare(`INSERT INTO runner_positions (set_name, topic, partition, "offset", ts) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (set_name, topic, partition) DO UPDATE SET "offset" = excluded."offset", ts = excluded.ts`),
      snapshots: db.prepare('SELECT projection, state FROM runner_snapshots WHERE set_name = ?'),
      putSnapshot: db.prepare(`INSERT INTO runner_snapshots (set_name, projection, state, taken_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (set_name, projection) DO UPDATE SET state = excluded.state, taken_at = excluded.taken_at`),
      legacyRecentIds: db.prepare('SELECT recent_ids FROM runner_sets WHERE set_name = ?').pluck(),
      clearLegacyRecentIds: db.prepare(`UPDATE runner_sets SET recent_ids = '[]' WHERE set_name = ? AND recent_ids <> '[]'`),
      chunks: db.prepare('SELECT seq, count FROM runner_recent WHERE set_name = ? ORDER BY seq'),
      chunkIds: db.prepare('SELECT ids FROM runner_recent WHERE set_name = ? ORDER BY seq').pluck(),
      addChunk: db.prepare('INSERT INTO runner_recent (set_name, seq, count, ids) VALUES (?, ?, ?, ?)'),
      dropChunk: db.prepare('DELETE FROM runner_recent WHERE set_name = ? AND seq = ?'),
      journal: db.prepare('SELECT topic, value FROM runner_journal WHERE set_name = ? ORDER BY seq'),
      maxSeq: db.prepare('SELECT MAX(seq) FROM runner_journal WHERE set_name = ?').pluck(),
      addJournal: db.prepare('INSERT INTO runner_journal (set_name, seq, topic, value) VALUES (?, ?, ?, ?)'),
      clearJournal: db.prepare('DELETE FROM runner_journal WHERE set_name = ?'),
    };
    this.journalSeq = (this.s.maxSeq.get(setName) as number | null) ?? 0;
    this.chunks = this.s.chunks.all(setName) as { seq: number; count: number }[];
  }

  meta(): SetMeta | null {
    const row = this.s.meta.get(this.setName) as { generation: string; suppress_through: string; building: number } | undefined;
    return row ? { generation: row.generation, suppressThrough: JSON.parse(row.suppress_through) as Record<string, string>, building: row.building === 1 } : null;
  }

  createMeta(meta: SetMeta, now: number): void {
    this.s.createMeta.run(this.setName, meta.generation, now, JSON.stringify(meta.suppressThrough), meta.building ? 1 : 0);
  }

  /**
   * Commits skip the fsync while building (a crashed build starts over), and fsync again after —
   * unless `durable` is false: then a commit survives a process crash but not a power loss.
   */
  setBuilding(building: boolean, durable = true): void {
    this.db.pragma(`synchronous = ${building || !durable ? 'NORMAL' : 'FULL'}`);
  }

  positions(): Map<string, StoredPosition & { topic: string; partition: number }> {
    const rows = this.s.positions.all(this.setName) as { topic: string; partition: number; offset: string; ts: number }[];
    return new Map(rows.map((r) => [`${r.topic}:${r.partition}`, r]));
  }

  snapshots(): Map<string, string> {
    const rows = this.s.snapshots.all(this.setName) as { projection: string; state: string }[];
    return new Map(rows.map((r) => [r.projection, r.state]));
  }

  /** The stored recent ids, oldest first (a store written before chunks kept them in one column). */
  recentIds(): string[] {
    const chunks = this.s.chunkIds.all(this.setName) as string[];
    if (chunks.length === 0) return JSON.parse((this.s.legacyRecentIds.get(this.setName) as string | undefined) ?? '[]') as string[];
    return chunks.flatMap((ids) => JSON.parse(ids) as string[]);
  }

  journal(): IterableIterator<JournalRow> {
    return this.s.journal.iterate(this.setName) as IterableIterator<JournalRow>;
  }

  /** Writes one batch's outcome; `inside` runs first in the same transaction (store-backed projections). */
  commit(write: BatchWrite, inside: () => void): void {
    try {
      this.write(write, inside);
    } catch (err) {
      // Rolled back: forget what this object believed it had written.
      this.journalSeq = (this.s.maxSeq.get(this.setName) as number | null) ?? 0;
      this.chunks = this.s.chunks.all(this.setName) as { seq: number; count: number }[];
      throw err;
    }
  }

  private write(write: BatchWrite, inside: () => void): void {
    const s = this.s;
    this.db.transaction(() => {
      inside();
      for (const p of write.positions.values()) s.putPosition.run(this.setName, p.topic, p.partition, p.offset, p.ts);
      if (write.snapshot) {
        for (const [name, json] of write.snapshot.states) s.putSnapshot.run(this.setName, name, json, write.snapshot.at);
        this.storeIds(write.snapshot.newIds, write.snapshot.keepIds);
        s.clearJournal.run(this.setName);
      } else if (write.journal) {
        let seq = this.journalSeq;
        for (const j of write.journal) s.addJournal.run(this.setName, ++seq, j.topic, j.value);
        this.journalSeq = seq;
      }
      if (write.built) s.built.run(this.setName);
    }).immediate();
    if (write.snapshot) this.journalSeq = 0;
  }

  /** Forgets the set entirely (for a rebuild). */
  reset(): void {
    this.db.transaction(() => {
      for (const table of ['runner_sets', 'runner_positions', 'runner_snapshots', 'runner_journal', 'runner_recent']) {
        this.db.prepare(`DELETE FROM ${table} WHERE set_name = ?`).run(this.setName);
      }
    }).immediate();
    this.journalSeq = 0;
    this.chunks = [];
  }

  /** Adds a chunk of new ids and drops the oldest chunks the newest `keep` ids do not need (inside a transaction). */
  private storeIds(ids: readonly string[], keep: number): void {
    const s = this.s;
    if (ids.length > 0 && this.chunks.length === 0) {
      // First chunk of a store that kept every id in one column: those become the first chunk.
      const legacy = JSON.parse((s.legacyRecentIds.get(this.setName) as string | undefined) ?? '[]') as string[];
      if (legacy.length > 0) {
        s.addChunk.run(this.setName, 1, legacy.length, JSON.stringify(legacy));
        this.chunks.push({ seq: 1, count: legacy.length });
      }
    }
    if (ids.length > 0) {
      const seq = (this.chunks.at(-1)?.seq ?? 0) + 1;
      s.addChunk.run(this.setName, seq, ids.length, JSON.stringify(ids));
      this.chunks.push({ seq, count: ids.length });
      s.clearLegacyRecentIds.run(this.setName);
    }
    let total = this.chunks.reduce((n, c) => n + c.count, 0);
    while (this.chunks.length > 1 && total - this.chunks[0]!.count >= keep) {
      const oldest = this.chunks.shift()!;
      s.dropChunk.run(this.setName, oldest.seq);
      total -= oldest.count;
    }
  }
}
