/**
 * The publisher on both logs: publish() returns the envelope at once, flush() makes it
 * durable, drain() delivered; consumers read valid CloudEvents envelopes in order per key.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RequestCompleted } from '../../events/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import { decodeEnvelope } from '../../src/eventlog/envelope.ts';
import { createEventLog, createPublisher } from '../../src/eventlog/factory.ts';
import type { TopicSpecs } from '../../src/eventlog/topics.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { randomIds } from '../../src/shared/ids.ts';
import { collect, deleteKafkaTopics, kafkaBrokers, requestEvent, tempDir, uniqueName } from '../support/eventlog-harness.ts';

const TOPICS: TopicSpecs = { 'jarvis.http': { partitions: 3, retentionMs: 86_400_000 } };

const modes = [
  { name: 'embedded (direct to the log)', brokers: null as string[] | null, skip: false as string | false },
  { name: 'kafka (through the outbox)', brokers: kafkaBrokers, skip: kafkaBrokers ? false : 'KAFKA_BROKERS is not set' },
];

for (const mode of modes) {
  describe(`publisher: ${mode.name}`, { skip: mode.skip }, () => {
    const dirs: string[] = [];
    const closers: (() => Promise<void>)[] = [];
    // Close what a failed test left running, or its timers keep the test process alive.
    after(async () => {
      for (const close of closers.reverse()) await close().catch(() => {});
      dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    });

    test('publishes 2,000 events that a consumer reads back as valid envelopes, in order per key', async () => {
      const dir = tempDir('publisher');
      dirs.push(dir);
      const prefix = `${uniqueName('pub')}.`;
      const config = loadConfig({ NODE_ENV: 'test', JARVIS_DATA_DIR: dir, JARVIS_INSTANCE_ID: 'pub-test', ...(mode.brokers && { KAFKA_BROKERS: mode.brokers.join(','), JARVIS_TOPIC_PREFIX: prefix }) });
      const log = createEventLog(config, { topics: TOPICS });
      await log.start();
      const publisher = createPublisher(config, log, systemClock, randomIds);
      closers.push(async () => void (mode.brokers && (await deleteKafkaTopics(mode.brokers, prefix))), () => log.close(), () => publisher.close());
      const c = await collect(log, { groupId: uniqueName('g'), topics: ['jarvis.http'], fromBeginning: true });
      const ids: string[] = [];
      for (let i = 0; i < 2000; i++) {
        const ip = `10.0.0.${i % 20}`;
        const env = publisher.publish(RequestCompleted, requestEvent(ip, Math.floor(i / 20)), { key: ip, requestId: `r${i}` });
        ids.push(env.id);
      }
      await publisher.flush();
      if (mode.brokers) assert.ok(fs.existsSync(path.join(dir, 'outbox.db')), 'the outbox file lives in the data directory');
      await publisher.drain(30_000);
      assert.equal(publisher.stats().outboxDepth, 0);
      await c.until((r) => r.length >= 2000);
      await c.stop();
      const envs = c.records.map((r) => decodeEnvelope(r.value));
      assert.deepEqual(new Set(envs.map((e) => e.id)), new Set(ids));
      const last = new Map<string, number>();
      for (const e of envs) {
        const data = e.data as { ip: string; request_id: string };
        const seq = Number(data.request_id.split('#')[1]);
        assert.equal(seq, (last.get(data.ip) ?? -1) + 1, `order for ${data.ip}`);
        last.set(data.ip, seq);
        assert.equal(e.source, '/jarvis-api/pub-test');
      }
      assert.equal(c.records[0]!.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
      await publisher.close();
      await log.close();
    });

    test('two publishers sharing a data directory: one relay drains both, and the other takes over when it stops', { skip: mode.brokers ? false : 'the outbox is used with Kafka only' }, async () => {
      const dir = tempDir('publisher-shared');
      dirs.push(dir);
      const prefix = `${uniqueName('pub')}.`;
      const config = loadConfig({ NODE_ENV: 'test', JARVIS_DATA_DIR: dir, KAFKA_BROKERS: mode.brokers!.join(','), JARVIS_TOPIC_PREFIX: prefix });
      const log = createEventLog(config, { topics: TOPICS });
      await log.start();
      const a = createPublisher(config, log, systemClock, randomIds);
      const b = createPublisher(config, log, systemClock, randomIds);
      closers.push(async () => void (await deleteKafkaTopics(mode.brokers!, prefix)), () => log.close(), () => a.close(), () => b.close());
      const c = await collect(log, { groupId: uniqueName('g'), topics: ['jarvis.http'], fromBeginning: true });
      const ids = new Set<string>();
      for (let i = 0; i < 500; i++) {
        ids.add(a.publish(RequestCompleted, requestEvent('10.9.0.1', i), { key: '10.9.0.1' }).id);
        ids.add(b.publish(RequestCompleted, requestEvent('10.9.0.2', i), { key: '10.9.0.2' }).id);
      }
      await Promise.all([a.drain(30_000), b.drain(30_000)]);
      const [da, db] = [a.stats().delivered, b.stats().delivered];
      assert.equal(da + db, 1000);
      assert.ok(da === 0 || db === 0, `one relay holds the lease and delivers for both (${da} / ${db})`);
      // The lease holder stops; the other relay takes the outbox over.
      const [holder, other] = da > 0 ? [a, b] : [b, a];
      await holder.close();
      for (let i = 500; i < 600; i++) ids.add(other.publish(RequestCompleted, requestEvent('10.9.0.3', i), { key: '10.9.0.3' }).id);
      await other.drain(30_000);
      await c.until((r) => new Set(r.map((x) => decodeEnvelope(x.value).id)).size >= 1100, 30_000);
      await c.stop();
      assert.deepEqual(new Set(c.records.map((r) => decodeEnvelope(r.value).id)), ids);
    });
  });
}
