/**
 * Tamper evidence: records altered, deleted or inserted in the audit store (audit.db) or in the
 * embedded log file (eventlog.db) are reported — the first of them, by kind, partition,
 * position and id — and the chains verify again once the damage is undone.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { KEYS, startAuditJarvis, type AuditJarvis } from '../support/audit-jarvis.ts';

interface Report { ok: boolean; scope: string; checked: number; problem: { kind: string; partition: number; seq: number; id: string | null; where: string } | null }
interface Row { n: number; id: string; part: number; seq: number; record: string }

let j: AuditJarvis;
let audit: Database.Database;
let eventlog: Database.Database;

async function verify(against: 'store' | 'log'): Promise<Report> {
  const res = await j.fetch(`/admin/audit/verify?against=${against}`, { key: KEYS.admin });
  const r = (await res.json()) as Report;
  assert.equal(res.status, r.ok ? 200 : 409);
  return r;
}

before(async () => {
  j = await startAuditJarvis({ JARVIS_TRUSTED_PROXIES: '127.0.0.1' }, process.env.AUDIT_DEBUG ? { logger: (await import('../../src/telemetry/logger.ts')).createLogger({ level: 'error' }) } : {});
  for (let i = 0; i < 24; i++) await (await j.fetch('/status', { key: `nope-${i}-0123456789abcdef`, headers: { 'x-forwarded-for': `198.51.100.${i}` } })).arrayBuffer();
  await j.until(() => j.audit.store.count() >= 24);
  audit = new Database(path.join(j.dataDir, 'audit.db'));
  eventlog = new Database(path.join(j.dataDir, 'eventlog.db'));
});
after(async () => {
  audit.close();
  eventlog.close();
  await j.close();
});

/** A partition holding at least three records, and its rows in chain order. */
function busyPartition(): Row[] {
  const part = audit.prepare('SELECT part FROM audit_events GROUP BY part HAVING COUNT(*) >= 3 ORDER BY part LIMIT 1').pluck().get() as number;
  return audit.prepare('SELECT n, id, part, seq, record FROM audit_events WHERE part = ? ORDER BY seq').all(part) as Row[];
}

describe('tampering with the audit store', () => {
  test('an untouched store and log verify', async () => {
    const s = await verify('store');
    assert.equal(s.ok, true);
    assert.ok(s.checked >= 24);
    assert.equal((await verify('log')).ok, true);
  });

  test('an altered record is reported as altered, with its id', async () => {
    const row = busyPartition()[1]!;
    audit.prepare('UPDATE audit_events SET record = ? WHERE n = ?').run(row.record.replace('"unknown_key"', '"all_good"'), row.n);
    const r = await verify('store');
    assert.deepEqual([r.ok, r.problem!.kind, r.problem!.partition, r.problem!.seq, r.problem!.id, r.problem!.where], [false, 'altered', row.part, row.seq, row.id, 'store']);
    audit.prepare('UPDATE audit_events SET record = ? WHERE n = ?').run(row.record, row.n);
    assert.equal((await verify('store')).ok, true);
  });

  test('a deleted record is reported as deleted at its position', async () => {
    const row = busyPartition()[1]!;
    const full = audit.prepare('SELECT * FROM audit_events WHERE n = ?').get(row.n) as Record<string, unknown>;
    audit.prepare('DELETE FROM audit_events WHERE n = ?').run(row.n);
    const r = await verify('store');
    assert.deepEqual([r.problem!.kind, r.problem!.partition, r.problem!.seq], ['deleted', row.part, row.seq]);
    const cols = Object.keys(full);
    audit.prepare(`INSERT INTO audit_events (${cols.join(',')}) VALUES (${cols.map((c) => `@${c}`).join(',')})`).run(full);
    assert.equal((await verify('store')).ok, true);
  });

  test('an inserted record is reported as inserted', async () => {
    const rows = busyPartition();
    const victim = audit.prepare('SELECT * FROM audit_events WHERE n = ?').get(rows[1]!.n) as Record<string, unknown>;
    const forged = { ...victim, n: null, id: 'forged-0000', record: String(victim.record).replace(victim.id as string, 'forged-0000') };
    const cols = Object.keys(forged);
    audit.prepare(`INSERT INTO audit_events (${cols.join(',')}) VALUES (${cols.map((c) => `@${c}`).join(',')})`).run(forged);
    const r = await verify('store');
    assert.deepEqual([r.problem!.kind, r.problem!.seq], ['inserted', rows[1]!.seq]);
    audit.prepare("DELETE FROM audit_events WHERE id = 'forged-0000'").run();
    assert.equal((await verify('store')).ok, true);
  });
});

describe('tampering with the event log file', () => {
  const securityRecords = () => eventlog.prepare("SELECT partition, \"offset\", value FROM records WHERE topic = 'jarvis.security' ORDER BY partition, \"offset\"").all() as { partition: number; offset: number; value: Buffer }[];

  test('a record altered in the topic is reported as altered in the log', async () => {
    const rec = securityRecords().find((r) => r.value.toString().includes('auth_failed'))!;
    const env = JSON.parse(rec.value.toString()) as { id: string; data: { reason: string } };
    env.data.reason = 'nothing to see';
    eventlog.prepare('UPDATE records SET value = ? WHERE topic = ? AND partition = ? AND "offset" = ?').run(Buffer.from(JSON.stringify(env)), 'jarvis.security', rec.partition, rec.offset);
    assert.equal((await verify('store')).ok, true, 'the store alone still holds the original');
    const r = await verify('log');
    assert.deepEqual([r.ok, r.problem!.kind, r.problem!.id, r.problem!.where], [false, 'altered', env.id, 'log']);
    eventlog.prepare('UPDATE records SET value = ? WHERE topic = ? AND partition = ? AND "offset" = ?').run(rec.value, 'jarvis.security', rec.partition, rec.offset);
    assert.equal((await verify('log')).ok, true);
  });

  test('a record deleted from the topic is reported as deleted, naming the missing record', async () => {
    const recs = securityRecords();
    const byPart = recs.filter((r) => r.partition === recs[0]!.partition);
    const gone = byPart[1]!;
    const goneId = (JSON.parse(gone.value.toString()) as { id: string }).id;
    const full = eventlog.prepare('SELECT * FROM records WHERE topic = ? AND partition = ? AND "offset" = ?').get('jarvis.security', gone.partition, gone.offset) as Record<string, unknown>;
    eventlog.prepare('DELETE FROM records WHERE topic = ? AND partition = ? AND "offset" = ?').run('jarvis.security', gone.partition, gone.offset);
    const r = await verify('log');
    assert.deepEqual([r.problem!.kind, r.problem!.id, r.problem!.where], ['deleted', goneId, 'log']);
    const cols = Object.keys(full);
    eventlog.prepare(`INSERT INTO records (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map((c) => `@${c}`).join(',')})`).run(full);
    assert.equal((await verify('log')).ok, true);
  });
});
