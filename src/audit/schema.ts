/**
 * The audit read model's tables. One row per security record: the record itself (canonical
 * JSON), a column per filter with an index that also serves the newest-first order
 * (`<filter>, time_ms, id`), and the record's link in its hash chain as the topic
 * carries it (`chain`, `seq`, `prev`, `hash`; see chain.ts). `n` is the order rows arrived in:
 * the live tail follows it. `audit_breaks` lists the links found broken while storing.
 */
import type Database from 'better-sqlite3';

export const AUDIT_SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_events (
  n INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  ip TEXT,
  ip_key TEXT,
  principal TEXT,
  request_id TEXT,
  trace_id TEXT,
  outcome TEXT NOT NULL,
  caused_by TEXT,
  chain TEXT NOT NULL,
  seq INTEGER NOT NULL,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS audit_by_id ON audit_events (id);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit_events (time_ms, id);
CREATE INDEX IF NOT EXISTS audit_by_type ON audit_events (type, time_ms, id);
CREATE INDEX IF NOT EXISTS audit_by_ip ON audit_events (ip, time_ms, id);
CREATE INDEX IF NOT EXISTS audit_by_ip_key ON audit_events (ip_key, time_ms, id);
CREATE INDEX IF NOT EXISTS audit_by_principal ON audit_events (principal, time_ms, id);
CREATE INDEX IF NOT EXISTS audit_by_request ON audit_events (request_id, time_ms, id);
CREATE INDEX IF NOT EXISTS audit_by_trace ON audit_events (trace_id, time_ms, id);
CREATE INDEX IF NOT EXISTS audit_by_outcome ON audit_events (outcome, time_ms, id);
CREATE INDEX IF NOT EXISTS audit_by_cause ON audit_events (caused_by);
CREATE INDEX IF NOT EXISTS audit_by_chain ON audit_events (chain, seq);
CREATE TABLE IF NOT EXISTS audit_anchors (
  chain TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_heads (
  chain TEXT NOT NULL,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (chain, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_breaks (
  n INTEGER PRIMARY KEY,
  chain TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL
);
`;

/** Creates the tables if missing. */
export function setupAuditSchema(db: Database.Database): void {
  db.exec(AUDIT_SCHEMA);
}

/**
 * Drops the rows and anchors for a rebuild. The published heads stay: they are the evidence a
 * rebuilt chain is checked against.
 */
export function dropAuditSchema(db: Database.Database): void {
  db.exec('DROP TABLE IF EXISTS audit_events; DROP TABLE IF EXISTS audit_anchors; DROP TABLE IF EXISTS audit_breaks;');
}

/**
 * True when `db` holds the tables of the earlier layout (chains computed by the audit per topic
 * partition, column `part`): they are dropped, heads included, and the read model must be
 * rebuilt from the topic.
 */
export function dropOldAuditSchema(db: Database.Database): boolean {
  const cols = db.prepare("SELECT name FROM pragma_table_info('audit_events')").pluck().all() as string[];
  const heads = db.prepare("SELECT name FROM pragma_table_info('audit_heads')").pluck().all() as string[];
  if (!cols.includes('part') && !heads.includes('part')) return false;
  db.exec('DROP TABLE IF EXISTS audit_events; DROP TABLE IF EXISTS audit_anchors; DROP TABLE IF EXISTS audit_heads; DROP TABLE IF EXISTS audit_breaks;');
  return true;
}
