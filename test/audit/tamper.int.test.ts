/**
 * Tamper evidence: records altered, deleted or inserted in the audit store (audit.db) or in the
 * embedded log file (eventlog.db) are reported — the first of them, by kind, chain partition,
 * position and id — and the chains verify again once the damage is undone. The records are
 * written by the real projector, which links them on the topic.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { KEYS, startAuditJarvis, type AuditJarvis } from '../support/audit-jarvis.ts';

interface Report { ok: boolean; scope: string; checked: number; problem: { kind: string; partition: string; seq: number; id: string | null; where: string } | null }
interface Row { n: number; id: string; chain: string; seq: number; record: string }

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
  const chain = audit.prepare("SELECT chain FROM audit_events WHERE chain LIKE 'jarvis.auth/%' GROUP BY chain HAVING COUNT(*) >= 3 ORDER BY chain LIMIT 1").pluck().get() as string;
  return audit.prepare('SELECT n, id, chain, seq, record FROM audit_events WHERE chain = ? ORDER BY seq').all(chain) as Row[];
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
    assert.deepEqual([r.ok, r.problem!.kind, r.problem!.partition, r.problem!.seq, r.problem!.id, r.problem!.where], [false, 'altered', row.chain, row.seq, row.id, 'store']);
    audit.prepare('UPDATE audit_events SET record = ? WHERE n = ?').run(row.record, row.n);
    assert.equal((await verify('store')).ok, true);
  });

  test('a deleted record is reported as deleted at its position', async () => {
    const row = busyPartition()[1]!;
    const full = audit.prepare('SELECT * FROM audit_events WHERE n = ?').get(row.n) as Record<string, unknown>;
    audit.prepare('DELETE FROM audit_events WHERE n = ?').run(row.n);
    const r = await verify('store');
    assert.deepEqual([r.problem!.kind, r.problem!.partition, r.problem!.seq], ['deleted', row.chain, row.seq]);
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
  interface LogRow { partition: number; offset: number; value: Buffer }
  interface Env { id: string; type: string; data: { reason: string; chain?: { partition: string; seq: number; prev: string; hash: string } } }
  const securityRecords = () => eventlog.prepare("SELECT partition, \"offset\", value FROM records WHERE topic = 'jarvis.security' ORDER BY partition, \"offset\"").all() as LogRow[];
  const envOf = (r: LogRow) => JSON.parse(r.value.toString()) as Env;
  /** The records of one chain with at least three links, by position. */
  function chainRecords(): { row: LogRow; env: Env }[] {
    const all = securityRecords().map((row) => ({ row, env: envOf(row) })).filter((r) => r.env.data.chain?.partition.startsWith('jarvis.auth/'));
    const counts = new Map<string, number>();
    for (const r of all) counts.set(r.env.data.chain!.partition, (counts.get(r.env.data.chain!.partition) ?? 0) + 1);
    const chain = [...counts].filter(([, n]) => n >= 3).sort()[0]![0];
    return all.filter((r) => r.env.data.chain!.partition === chain).sort((a, b) => a.env.data.chain!.seq - b.env.data.chain!.seq);
  }
  const put = (row: LogRow, value: Buffer) => eventlog.prepare('UPDATE records SET value = ? WHERE topic = ? AND partition = ? AND "offset" = ?').run(value, 'jarvis.security', row.partition, row.offset);
  const take = (row: LogRow) => {
    const full = eventlog.prepare('SELECT * FROM records WHERE topic = ? AND partition = ? AND "offset" = ?').get('jarvis.security', row.partition, row.offset) as Record<string, unknown>;
    eventlog.prepare('DELETE FROM records WHERE topic = ? AND partition = ? AND "offset" = ?').run('jarvis.security', row.partition, row.offset);
    const cols = Object.keys(full);
    return () => eventlog.prepare(`INSERT INTO records (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map((c) => `@${c}`).join(',')})`).run(full);
  };

  test('every security record on the topic carries a link, and the projector publishes the chain heads there', async () => {
    const envs = securityRecords().map(envOf);
    const records = envs.filter((e) => e.type !== 'jarvis.security.chain_head_published.v1' && e.type !== 'jarvis.security.audit_queried.v1');
    assert.ok(records.length >= 24);
    assert.ok(records.every((e) => e.data.chain && /^[0-9a-f]{64}$/.test(e.data.chain.hash)));
    assert.ok((await j.projector.publishHeads(Date.now())) > 0);
    await j.until(() => securityRecords().some((r) => envOf(r).type === 'jarvis.security.chain_head_published.v1'));
    const r = await verify('log');
    assert.equal(r.ok, true, JSON.stringify(r.problem));
  });

  test('a record altered in the topic is reported as altered in the log, by chain, position and id', async () => {
    const { row, env } = chainRecords()[1]!;
    put(row, Buffer.from(JSON.stringify({ ...env, data: { ...env.data, reason: 'nothing to see' } })));
    assert.equal((await verify('store')).ok, true, 'the store alone still holds the original');
    const r = await verify('log');
    assert.deepEqual([r.ok, r.problem!.kind, r.problem!.partition, r.problem!.seq, r.problem!.id, r.problem!.where], [false, 'altered', env.data.chain!.partition, env.data.chain!.seq, env.id, 'log']);
    put(row, row.value);
    assert.equal((await verify('log')).ok, true);
  });

  test('a record deleted from the topic is reported as deleted, naming the missing record', async () => {
    const { row, env } = chainRecords()[1]!;
    const restore = take(row);
    const r = await verify('log');
    assert.deepEqual([r.problem!.kind, r.problem!.partition, r.problem!.seq, r.problem!.id, r.problem!.where], ['deleted', env.data.chain!.partition, env.data.chain!.seq, env.id, 'log']);
    restore();
    assert.equal((await verify('log')).ok, true);
  });

  test('a forged record inserted into the topic is reported as inserted, with its id', async () => {
    const { row, env } = chainRecords()[1]!;
    const forged = { ...env, id: '00000000-0000-4000-8000-00000000f0f0', data: { ...env.data, reason: 'forged' } };
    const end = eventlog.prepare("SELECT MAX(\"offset\") FROM records WHERE topic = 'jarvis.security' AND partition = ?").pluck().get(row.partition) as number;
    const full = eventlog.prepare('SELECT * FROM records WHERE topic = ? AND partition = ? AND "offset" = ?').get('jarvis.security', row.partition, row.offset) as Record<string, unknown>;
    const cols = Object.keys(full);
    eventlog.prepare(`INSERT INTO records (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map((c) => `@${c}`).join(',')})`).run({ ...full, offset: end + 1000, value: Buffer.from(JSON.stringify(forged)) });
    const r = await verify('log');
    assert.deepEqual([r.problem!.kind, r.problem!.partition, r.problem!.seq, r.problem!.id, r.problem!.where], ['inserted', env.data.chain!.partition, env.data.chain!.seq, forged.id, 'log']);
    // The audit runner takes the forged record in too (the store lists the break); undo both.
    await j.until(() => audit.prepare('SELECT 1 FROM audit_events WHERE id = ?').get(forged.id));
    eventlog.prepare('DELETE FROM records WHERE topic = ? AND partition = ? AND "offset" = ?').run('jarvis.security', row.partition, end + 1000);
    audit.prepare('DELETE FROM audit_events WHERE id = ?').run(forged.id);
    assert.equal((await verify('log')).ok, true);
  });

  test('the newest records of a chain cut from the topic are caught by a published head', async () => {
    await j.projector.publishHeads(Date.now());
    const chain = chainRecords();
    const { row, env } = chain[chain.length - 1]!;
    await j.until(() => securityRecords().some((r) => { const e = envOf(r) as unknown as { type: string; data: { heads?: { partition: string; seq: number }[] } }; return e.type === 'jarvis.security.chain_head_published.v1' && e.data.heads!.some((h) => h.partition === env.data.chain!.partition && h.seq === env.data.chain!.seq); }));
    const restore = take(row);
    const r = await verify('log');
    assert.deepEqual([r.problem!.kind, r.problem!.partition, r.problem!.seq, r.problem!.id], ['deleted', env.data.chain!.partition, env.data.chain!.seq, env.id]);
    restore();
    assert.equal((await verify('log')).ok, true);
  });
});
