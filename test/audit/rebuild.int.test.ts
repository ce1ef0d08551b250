/**
 * The audit read model survives restarts and is rebuilt from the topic with identical results:
 * the same records, in the same order, with the same chain links.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { parseAuditConfig } from '../../src/config/audit.ts';
import { startAudit, type Audit } from '../../src/audit/service.ts';
import { startAuditJarvis } from '../support/audit-jarvis.ts';
import { deleteKafkaTopics } from '../support/eventlog-harness.ts';

const everything = (a: Audit) => [...a.store.pages({}, Date.now(), 50)].flat();

// Embedded always; on Kafka too when KAFKA_BROKERS names a broker (under a topic prefix of its own).
const logs: [string, Record<string, string>][] = [['embedded log', {}]];
if (process.env.KAFKA_BROKERS) logs.push(['Kafka', { KAFKA_BROKERS: process.env.KAFKA_BROKERS, JARVIS_TOPIC_PREFIX: `audit${Date.now().toString(36)}${randomBytes(3).toString('hex')}.` }]);

for (const [name, logEnv] of logs) test(`a restart resumes and a rebuild from the log reproduces the read model exactly (${name})`, { timeout: 120_000 }, async () => {
  const j = await startAuditJarvis({ JARVIS_TRUSTED_PROXIES: '127.0.0.1', ...logEnv });
  try {
    for (let i = 0; i < 60; i++) await (await j.fetch(i % 2 ? '/status' : '/admin/keys', { key: `bad-${i}-0123456789abcdef`, headers: { 'x-forwarded-for': `203.0.113.${i % 7}` } })).arrayBuffer();
    await j.until(() => j.audit.store.count() >= 60);
    const original = everything(j.audit);
    assert.equal(original.length, 60);
    await j.audit.stop();

    const deps = { log: j.base.jarvis.log, dataDir: j.dataDir, audit: parseAuditConfig({}), groupPrefix: `${logEnv.JARVIS_TOPIC_PREFIX ?? ''}jarvis.audit.${j.base.jarvis.config.instanceId}`, settleMs: 100 };
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
    if (logEnv.KAFKA_BROKERS) await deleteKafkaTopics(logEnv.KAFKA_BROKERS.split(','), logEnv.JARVIS_TOPIC_PREFIX!);
  }
});
