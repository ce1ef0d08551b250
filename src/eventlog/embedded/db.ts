/**
 * The embedded log's SQLite file: schema and connection settings. Several processes of one
 * machine open the same file; WAL lets readers run beside the one writer, and busy_timeout
 * makes a writer wait for another process's transaction instead of failing.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WAL_BACKSTOP_PAGES } from '../../shared/wal-checkpointer.ts';

export type Durability = 'full' | 'normal';

/**
 * Opens (and creates) the log file. `durability: 'full'` fsyncs the WAL on every commit, so an
 * appended record survives power loss; 'normal' survives a process crash but an OS crash may
 * lose the last commits (cheaper: no fsync on the calling thread).
 */
export function openLogDb(file: string, durability: Durability): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 10000');
  // Pages read through a memory map: several connections write this file, and each commit by
  // another one empties a connection's page cache; re-reading through mmap costs no syscall.
  db.pragma('mmap_size = 268435456');
  // Checkpoints run on a worker thread (shared/wal-checkpointer.ts); this is the backstop.
  db.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
  db.exec(SCHEMA);
  return db;
}

// records: one row per record, offsets dense per (topic, partition) starting at 0.
// topics: the partition count a topic was created with (the partitioner must never change).
// positions: a group's committed position = the next offset it will read.
// members/leases: group membership and partition ownership, each with an expiry that
// the owner renews (heartbeat); an expired row is free for another process to take.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS topics (
  topic TEXT PRIMARY KEY,
  partitions INTEGER NOT NULL,
  retention_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
  topic TEXT NOT NULL,
  partition INTEGER NOT NULL,
  "offset" INTEGER NOT NULL,
  key TEXT NOT NULL,
  value BLOB NOT NULL,
  headers TEXT,
  ts INTEGER NOT NULL,
  PRIMARY KEY (topic, partition, "offset")
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS positions (
  group_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  partition INTEGER NOT NULL,
  next_offset INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS members (
  group_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  topics TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
  group_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  partition INTEGER NOT NULL,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic, partition)
) WITHOUT ROWID;
`;
