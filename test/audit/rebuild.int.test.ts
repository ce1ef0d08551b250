/**
 * The audit read model survives restarts and is rebuilt from the topic with identical results:
 * the same records, in the same order, with the same chain links.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { parseAuditConfig } from '../../src/config/audit.ts';
import { startAudit, type Audit } from '../../src/audit/service.ts';
import { startAuditJarvis } from '../support/audit-jarvis.ts';

const everything = (a: Audit) => [...a.store.pages({}, Date.now(), 50)].flat();

test('a restart resumes and a rebuild from the log reproduces the read model exactly', async () => {
  const j = await startAuditJarvis({ JARVIS_TRUSTED_PROXIES: '127.0.0.1' });
  try {
    for (let i = 0; i < 60; i++) await (await j.fetch(i % 2 ? '/status' : '/admin/keys', { key: `bad-${i}-0123456789abcdef`, headers: { 'x-forwarded-for': `203.0.113.${i % 7}` } })).arrayBuffer();
    await j.until(() => j.audit.store.count() >= 60);
    const original = everything(j.audit);
    assert.equal(original.length, 60);
    await j.audit.stop();

    const deps = { log: j.base.jarvis.log, dataDir: j.dataDir, audit: parseAuditConfig({}), settleMs: 100 };
    const restarted = await startAudit(deps);
    await restarted.ready;
    assert.deepEqual(everything(restarted), original, 'a restart keeps every record');
    await restarted.stop();

    // Damage the read model: the rebuild must bring back what only the topic still holds.
    const db = new Database(path.join(j.dataDir, 'audit.db'));
    db.prepare('DELETE FROM audit_events WHERE n % 6 = 0').run();
    db.close();
    const rebuilt = await startAudit({ ...deps, rebuild: true });
    await rebuilt.ready;
    await j.until(() => rebuilt.store.count() >= 60);
    assert.deepEqual(everything(rebuilt), original, 'the rebuild gives identical records and chain links');
    assert.equal((await rebuilt.verify(true)).ok, true);
    await rebuilt.stop();
  } finally {
    await j.close();
  }
});
