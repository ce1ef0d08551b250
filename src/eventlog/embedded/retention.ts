/**
 * Retention for the embedded log, as Kafka applies it: records older than their topic's
 * `retention_ms` go, oldest first, in chunks of 1,000 with a yield between chunks (so the hourly
 * pass never stalls the event loop); a partition's newest record always stays, so offsets keep
 * growing and are never reused.
 */
import type Database from 'better-sqlite3';
import type { LogSink } from '../logger.ts';

/** One pass over every topic with a retention; stops early when `isOpen()` turns false. */
export async function applyRetention(db: Database.Database, now: number, isOpen: () => boolean, log: LogSink): Promise<void> {
  const oldest = db.prepare('SELECT "offset", ts FROM records WHERE topic = ? AND partition = ? ORDER BY "offset" LIMIT 1000');
  const head = db.prepare('SELECT MAX("offset") FROM records WHERE topic = ? AND partition = ?').pluck();
  const drop = db.prepare('DELETE FROM records WHERE topic = ? AND partition = ? AND "offset" <= ?');
  const topics = db.prepare('SELECT topic, partitions, retention_ms FROM topics WHERE retention_ms >= 0').all() as { topic: string; partitions: number; retention_ms: number }[];
  for (const t of topics) {
    let removed = 0;
    for (let p = 0; p < t.partitions; p++) {
      for (;;) {
        if (!isOpen()) return;
        const newest = head.get(t.topic, p) as number | null;
        const rows = oldest.all(t.topic, p) as { offset: number; ts: number }[];
        let last = -1;
        for (const r of rows) {
          if (r.ts >= now - t.retention_ms || r.offset >= (newest ?? 0)) break;
          last = r.offset;
        }
        if (last < 0) break;
        removed += drop.run(t.topic, p, last).changes;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (removed > 0) log.info({ topic: t.topic, removed }, 'embedded log: retention removed old records');
  }
}
