/**
 * Issue 2, item 5: nothing is lost when the log is unavailable. A private broker is stopped in
 * the middle of a stream of publishes and started again; every event must arrive — once, after
 * deduplicating by event id — in order per key. And a full outbox answers 503 with Retry-After.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { RequestCompleted } from '../../events/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import { decodeEnvelope } from '../../src/eventlog/envelope.ts';
import { createEventLog, createPublisher } from '../../src/eventlog/factory.ts';
import { isAppError } from '../../src/shared/errors.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { randomIds } from '../../src/shared/ids.ts';
import type { Publisher } from '../../src/eventlog/publisher.ts';
import type { EventLog } from '../../src/eventlog/types.ts';
import { privateBroker, type PrivateBroker } from '../support/eventlog-broker.ts';
import { collect, eventually, kafkaBrokers, requestEvent, sleep, tempDir, uniqueName } from '../support/eventlog-harness.ts';

const TOPICS = { 'jarvis.http': { partitions: 3, retentionMs: 86_400_000 } };

describe('publishing through a broker outage', { skip: kafkaBrokers ? false : 'KAFKA_BROKERS is not set (npm test starts Kafka; this test starts its own second broker)' }, () => {
  let broker: PrivateBroker;
  const dirs: string[] = [];
  const logs: EventLog[] = [];
  const publishers: Publisher[] = [];
  before(async () => {
    broker = await privateBroker('outage');
    await broker.start();
  });
  after(async () => {
    for (const p of publishers) await p.close().catch(() => {});
    for (const l of logs) await l.close().catch(() => {});
    await broker?.destroy();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  function setup(extraEnv: Record<string, string> = {}) {
    const dir = tempDir('outage');
    dirs.push(dir);
    const config = loadConfig({ NODE_ENV: 'test', JARVIS_DATA_DIR: dir, JARVIS_INSTANCE_ID: 'outage', KAFKA_BROKERS: broker.brokers.join(','), JARVIS_TOPIC_PREFIX: `${uniqueName('outage')}.`, ...extraEnv });
    const log = createEventLog(config, { topics: TOPICS });
    logs.push(log);
    const publisher = () => {
      const p = createPublisher(config, log, systemClock, randomIds);
      publishers.push(p);
      return p;
    };
    return { config, log, publisher };
  }

  test('every event published while the broker is stopped and restarted arrives once per id, in order per key', async () => {
    const { log, publisher: newPublisher } = setup();
    await log.start();
    const publisher = newPublisher();
    const firstSeen = new Map<string, { ip: string; seq: number }>();
    let duplicates = 0;
    const consumer = await collect(log, {
      groupId: uniqueName('projection'),
      topics: ['jarvis.http'],
      fromBeginning: true,
      onBatch: async (b) => {
        for (const r of b.records) {
          const e = decodeEnvelope(r.value);
          const d = e.data as { ip: string; request_id: string };
          if (firstSeen.has(e.id)) duplicates++;
          else firstSeen.set(e.id, { ip: d.ip, seq: Number(d.request_id.split('#')[1]) });
        }
      },
    });

    const published: string[] = [];
    const seq = new Map<string, number>();
    let publishing = true;
    const stream = (async () => {
      while (publishing) {
        for (let i = 0; i < 5; i++) {
          const ip = `192.0.2.${published.length % 10}`;
          const n = seq.get(ip) ?? 0;
          seq.set(ip, n + 1);
          published.push(publisher.publish(RequestCompleted, requestEvent(ip, n), { key: ip }).id);
        }
        await sleep(10);
      }
    })();

    let beforeOutage: number | undefined;
    let stats;
    let healthDuringOutage;
    try {
      await sleep(1500);
      beforeOutage = published.length;
      await broker.stop();
      await sleep(3000);
      await publisher.flush();
      stats = publisher.stats();
      healthDuringOutage = log.health();
      await broker.start();
      await sleep(1000);
    } finally {
      publishing = false;
      await stream;
    }
    assert.ok(stats.outboxDepth > 0, 'events wait in the outbox while the broker is down');
    assert.equal(healthDuringOutage.ok, false, 'health reports the broker as unreachable');
    assert.ok(published.length > beforeOutage + 500, `kept publishing during the outage (${beforeOutage} before, ${published.length} in all)`);

    await publisher.drain(60_000);
    await eventually(() => firstSeen.size >= published.length, 60_000, `consumer saw all ${published.length} events`);
    await consumer.stop();
    await publisher.close();

    assert.deepEqual(new Set(firstSeen.keys()), new Set(published), 'every published id arrived, nothing else');
    const last = new Map<string, number>();
    for (const { ip, seq: s } of firstSeen.values()) {
      assert.equal(s, (last.get(ip) ?? -1) + 1, `order for ${ip}`);
      last.set(ip, s);
    }
    assert.equal(log.health().ok, true);
    console.log(`# outage: ${published.length} published, ${beforeOutage} before the stop, max outbox depth seen ${stats.outboxDepth}, ${duplicates} duplicates removed`);
  });

  test('with the broker down from the start, a full outbox refuses new events with 503 and Retry-After, and drains once it is back', async () => {
    const { log, publisher: newPublisher } = setup({ JARVIS_OUTBOX_MAX_EVENTS: '100' });
    await broker.stop();
    // The log is never started by hand: the relay's first append starts it once Kafka answers.
    const publisher = newPublisher();
    for (let i = 0; i < 100; i++) {
      publisher.publish(RequestCompleted, requestEvent('198.51.100.1', i), { key: '198.51.100.1' });
      if (i % 25 === 24) await publisher.flush();
    }
    assert.equal(log.health().ok, false);
    let refused: unknown;
    try {
      publisher.publish(RequestCompleted, requestEvent('198.51.100.1', 100), { key: '198.51.100.1' });
    } catch (err) {
      refused = err;
    }
    assert.ok(isAppError(refused), 'publish throws an AppError when the outbox is full');
    assert.equal(refused.code, 'ERR_EVENT_LOG_UNAVAILABLE');
    assert.equal(refused.status, 503);
    assert.equal(refused.title, 'Event log unavailable');
    assert.deepEqual(refused.headers, { 'Retry-After': '5' });
    assert.equal(publisher.stats().outboxDepth, 100);

    await broker.start();
    await publisher.drain(60_000);
    assert.equal(publisher.stats().outboxDepth, 0);
    assert.doesNotThrow(() => publisher.publish(RequestCompleted, requestEvent('198.51.100.1', 100), { key: '198.51.100.1' }));
    await publisher.drain(30_000);
    await publisher.close();
    const check = await collect(log, { groupId: uniqueName('check'), topics: ['jarvis.http'], fromBeginning: true });
    await check.until((r) => new Set(r.map((x) => decodeEnvelope(x.value).id)).size >= 101, 30_000);
    await check.stop();
  });
});
