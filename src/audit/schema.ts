/**
 * The audit read model's tables. One row per security record: the record itself (canonical
 * JSON), a column per filter with an index that also serves the newest-first order
 * (`<filter>, time_ms, id`), and the record's link in its partition's hash chain.
 * `n` is the order rows arrived in: the live tail follows it.
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
  part INTEGER NOT NULL,
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
CREATE INDEX IF NOT EXISTS audit_by_chain ON audit_events (part, seq);
CREATE TABLE IF NOT EXISTS audit_anchors (
  part INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_heads (
  part INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (part, seq)
) WITHOUT ROWID;
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
  db.exec('DROP TABLE IF EXISTS audit_events; DROP TABLE IF EXISTS audit_anchors;');
}
