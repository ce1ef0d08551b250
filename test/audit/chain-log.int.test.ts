/**
 * The chain carried on jarvis.security, on the embedded log and on Kafka: the real projector
 * links every record, a restart continues each chain where it stopped (the tips are kept with
 * its state), the heads go on the topic, and `verify` reading the topic finds it intact — and
 * names a forged record a raw producer slipped in.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { AuthDecisionRecorded, type Envelope, type SecurityEventData } from '../../events/index.ts';
import { startAudit } from '../../src/audit/service.ts';
import { loadConfig } from '../../src/config/config.ts';
import { decodeEnvelope } from '../../src/eventlog/envelope.ts';
import { createEventLog } from '../../src/eventlog/factory.ts';
import { startProjector } from '../../src/projector/projector.ts';
import { at } from '../support/projections-given.ts';
import { appendAll, deleteKafkaTopics, eventually, kafkaBrokers, tempDir } from '../support/projections-log.ts';

const failure = (ip: string, i: number) => at(Date.now(), AuthDecisionRecorded, {
  stage: 'authentication', outcome: 'denied', reason: 'missing_credential', method: 'none', principal: null, session_id: null, permission: null, ip, route: '/chat', request_id: `chain-${ip}-${i}`,
});
// Three IPs keyed to three different auth partitions; 'missing_credential' never counts as brute force.
const IPS = ['203.0.113.7', '198.51.100.2', '198.51.100.3'];

async function chainOnTheTopic(brokers: string[] | null): Promise<void> {
  const dir = tempDir('audit-chain');
  const config = loadConfig({
    NODE_ENV: 'test', JARVIS_DATA_DIR: dir,
    ...(brokers && { KAFKA_BROKERS: brokers.join(','), JARVIS_TOPIC_PREFIX: `ac${Date.now().toString(36)}${randomBytes(2).toString('hex')}.` }),
  });
  const log = createEventLog(config);
  await log.start();
  const settleMs = brokers ? 1500 : 200;
  const seen: Envelope[] = [];
  const tail = await log.subscribe({ groupId: `chain-tail-${randomBytes(4).toString('hex')}`, topics: ['jarvis.security'], fromBeginning: true, onBatch: async (b) => void seen.push(...b.records.map((r) => decodeEnvelope(r.value))) });
  const records = () => seen.filter((e) => e.type === 'jarvis.security.auth_failed.v1');
  let audit: Awaited<ReturnType<typeof startAudit>> | null = null;
  try {
    let projector = await startProjector(config, { log, housekeepingMs: 0, headEveryMs: 0, settleMs });
    await appendAll(log, IPS.flatMap((ip) => [0, 1].map((i) => failure(ip, i))));
    await eventually(() => records().length >= 6, 30_000, 'six records on the topic');
    await projector.stop();
    // A restart continues every chain from the tips stored with the projector's state.
    projector = await startProjector(config, { log, housekeepingMs: 0, headEveryMs: 0, settleMs });
    await appendAll(log, IPS.map((ip) => failure(ip, 2)));
    await eventually(() => records().length >= 9, 30_000, 'nine records on the topic');
    assert.ok((await projector.publishHeads(Date.now())) >= 3);
    await projector.stop();

    const byChain = new Map<string, NonNullable<SecurityEventData['chain']>[]>();
    for (const e of records()) {
      const link = (e.data as SecurityEventData).chain!;
      byChain.set(link.partition, [...(byChain.get(link.partition) ?? []), link]);
    }
    assert.equal(byChain.size, 3, 'one chain per auth partition');
    for (const links of byChain.values()) {
      const sorted = [...new Map(links.map((l) => [l.seq, l])).values()].sort((a, b) => a.seq - b.seq);
      assert.deepEqual(sorted.map((l) => l.seq), [1, 2, 3], 'the restart did not fork or restart the chain');
      assert.equal(sorted[2]!.prev, sorted[1]!.hash);
    }

    audit = await startAudit({ log, dataDir: dir, audit: config.audit, settleMs });
    await audit.ready;
    await eventually(() => audit!.store.count() >= 9, 30_000, 'the audit stored the records');
    const ok = await audit.verify(true);
    assert.equal(ok.ok, true, JSON.stringify(ok.problem));
    assert.equal(ok.breaks_at_ingest, 0);

    // A raw producer appends a forged copy of a record, link and all, with other content.
    const victim = records()[1]!;
    const forged = { ...victim, id: '00000000-0000-4000-8000-00000000beef', data: { ...(victim.data as SecurityEventData), reason: 'forged' } };
    await log.append([{ topic: 'jarvis.security', key: '203.0.113.7', value: Buffer.from(JSON.stringify(forged)) }]);
    const link = (victim.data as SecurityEventData).chain!;
    const bad = await audit.verify(true);
    assert.deepEqual([bad.ok, bad.problem?.kind, bad.problem?.partition, bad.problem?.seq, bad.problem?.id, bad.problem?.where], [false, 'inserted', link.partition, link.seq, forged.id, 'log']);
  } finally {
    await audit?.stop();
    await tail.stop();
    await log.close();
    if (brokers) await deleteKafkaTopics(brokers, config.eventLog.topicPrefix);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('the projector chains every record on the topic across a restart, and verify names a forged one (embedded log)', { timeout: 90_000 }, () => chainOnTheTopic(null));

test('the projector chains every record on the topic across a restart, and verify names a forged one (Kafka)', { timeout: 180_000, skip: kafkaBrokers ? false : 'KAFKA_BROKERS is not set' }, () => chainOnTheTopic(kafkaBrokers));
