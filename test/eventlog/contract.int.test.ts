/**
 * The event-log contract (src/eventlog/types.ts), run against both implementations: the
 * embedded SQLite log and a real Kafka broker (KAFKA_BROKERS, set by `npm test`).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { partitionFor } from '../../src/eventlog/partition.ts';
import type { TopicSpecs } from '../../src/eventlog/topics.ts';
import type { ConsumedRecord, EventLog } from '../../src/eventlog/types.ts';
import { collect, embeddedFactory, eventually, kafkaBrokers, kafkaFactory, keyedRecords, type LogFactory, seqOf, sleep, uniqueName } from '../support/eventlog-harness.ts';

const TOPICS: TopicSpecs = { orders: { partitions: 3, retentionMs: 86_400_000 }, audit: { partitions: 1, retentionMs: -1 } };

const implementations: { name: string; make: () => LogFactory; skip: string | false }[] = [
  { name: 'embedded', make: () => embeddedFactory(TOPICS), skip: false },
  { name: 'kafka', make: () => kafkaFactory(TOPICS, kafkaBrokers ?? []), skip: kafkaBrokers ? false : 'KAFKA_BROKERS is not set (npm test starts a broker)' },
];

function byKey(records: readonly ConsumedRecord[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of records) {
    let list = out.get(r.key);
    if (!list) out.set(r.key, (list = []));
    list.push(seqOf(r));
  }
  return out;
}

for (const impl of implementations) {
  describe(`event log contract: ${impl.name}`, { skip: impl.skip }, () => {
    // Each test gets its own topics (Kafka: a fresh prefix; embedded: a fresh file).
    const opened: { log: EventLog; factory: LogFactory }[] = [];
    async function fresh(): Promise<{ log: EventLog; factory: LogFactory }> {
      const factory = impl.make();
      const log = factory.open();
      await log.start();
      opened.push({ log, factory });
      return { log, factory };
    }
    after(async () => {
      for (const { log, factory } of opened) {
        await log.close();
        await factory.cleanup();
      }
    });

    test('records with the same key come back in the order they were appended', async () => {
      const { log } = await fresh();
      for (let round = 0; round < 5; round++) await log.append(keyedRecords('orders', 60, 12, round * 5));
      const c = await collect(log, { groupId: uniqueName('g'), topics: ['orders'], fromBeginning: true });
      await c.until((r) => r.length >= 300);
      await c.stop();
      assert.equal(c.records.length, 300);
      for (const [key, seqs] of byKey(c.records)) assert.deepEqual(seqs, Array.from({ length: 25 }, (_, i) => i), `order of ${key}`);
    });

    test("a key always lands in one partition, the one Kafka's murmur2 partitioner picks, and offsets grow in it", async () => {
      const { log } = await fresh();
      await log.append(keyedRecords('orders', 90, 30));
      await log.append(keyedRecords('orders', 90, 30, 3));
      const c = await collect(log, { groupId: uniqueName('g'), topics: ['orders'], fromBeginning: true });
      await c.until((r) => r.length >= 180);
      await c.stop();
      for (const r of c.records) assert.equal(r.partition, partitionFor(r.key, 3), `partition of ${r.key}`);
      const byPartition = new Map<number, bigint[]>();
      for (const r of c.records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), BigInt(r.offset)]);
      for (const [p, offsets] of byPartition) {
        for (let i = 1; i < offsets.length; i++) assert.ok(offsets[i]! > offsets[i - 1]!, `offsets grow in partition ${p}`);
      }
    });

    test('keys, string headers, timestamps and the high watermark come back as the contract says', async () => {
      const { log } = await fresh();
      const before = Date.now();
      await log.append([{ topic: 'audit', key: 'k1', value: Buffer.from('{"a":1}'), headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'content-type': 'application/cloudevents+json' } }]);
      let watermark = '';
      const c = await collect(log, { groupId: uniqueName('g'), topics: ['audit'], fromBeginning: true, onBatch: async (b) => void (watermark = b.highWatermark) });
      await c.until((r) => r.length >= 1);
      await c.stop();
      const [r] = c.records;
      assert.ok(r);
      assert.equal(r.topic, 'audit');
      assert.equal(r.key, 'k1');
      assert.ok(Buffer.isBuffer(r.value));
      assert.equal(r.value.toString(), '{"a":1}');
      assert.deepEqual(r.headers, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'content-type': 'application/cloudevents+json' });
      assert.equal(typeof r.offset, 'string');
      assert.equal(watermark, r.offset, 'highWatermark is the newest record offset');
      assert.ok(r.timestamp >= before - 5000 && r.timestamp <= Date.now() + 5000);
    });

    test('a group resumes after its committed position when the log is closed and opened again', async () => {
      const { log, factory } = await fresh();
      const groupId = uniqueName('g');
      await log.append(keyedRecords('orders', 50, 5));
      const first = await collect(log, { groupId, topics: ['orders'], fromBeginning: true });
      await first.until((r) => r.length >= 50);
      await first.stop();
      await log.close();

      const reopened = factory.open();
      await reopened.start();
      opened.push({ log: reopened, factory });
      await reopened.append(keyedRecords('orders', 20, 5, 10));
      const second = await collect(reopened, { groupId, topics: ['orders'], fromBeginning: true });
      await second.until((r) => r.length >= 20);
      await sleep(500); // nothing older may follow
      await second.stop();
      assert.equal(second.records.length, 20);
      assert.ok(second.records.every((r) => seqOf(r) >= 10), 'only the records appended after the commit');
    });

    test('two groups each see every record', async () => {
      const { log } = await fresh();
      await log.append(keyedRecords('orders', 40, 8));
      const a = await collect(log, { groupId: uniqueName('ga'), topics: ['orders', 'audit'], fromBeginning: true });
      const b = await collect(log, { groupId: uniqueName('gb'), topics: ['orders', 'audit'], fromBeginning: true });
      await log.append(keyedRecords('audit', 10, 2));
      await Promise.all([a.until((r) => r.length >= 50), b.until((r) => r.length >= 50)]);
      await Promise.all([a.stop(), b.stop()]);
      assert.equal(a.records.length, 50);
      assert.equal(b.records.length, 50);
    });

    test('a new group starts at the end with fromBeginning false, at the start with true', async () => {
      const { log } = await fresh();
      await log.append(keyedRecords('orders', 30, 3));
      const late = await collect(log, { groupId: uniqueName('late'), topics: ['orders'], fromBeginning: false });
      const early = await collect(log, { groupId: uniqueName('early'), topics: ['orders'], fromBeginning: true });
      await log.append(keyedRecords('orders', 9, 3, 100));
      await late.until((r) => r.length >= 9);
      await early.until((r) => r.length >= 39);
      await sleep(500);
      await Promise.all([late.stop(), early.stop()]);
      assert.deepEqual(late.records.map(seqOf).sort((x, y) => x - y), [100, 100, 100, 101, 101, 101, 102, 102, 102]);
      assert.equal(early.records.length, 39);
    });

    test('a batch whose handler throws is delivered again, and its position is not committed before', async () => {
      const { log } = await fresh();
      const groupId = uniqueName('g');
      await log.append(keyedRecords('audit', 10, 1));
      let failures = 0;
      const c = await collect(log, {
        groupId,
        topics: ['audit'],
        fromBeginning: true,
        onBatch: async () => {
          if (failures < 2) {
            failures++;
            throw new Error('handler failed on purpose');
          }
        },
      });
      await c.until((r) => r.length >= 10);
      await c.stop();
      assert.equal(failures, 2);
      assert.deepEqual(c.records.map(seqOf), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'every record once it succeeded, in order');
      // Reopening the group finds nothing left: the successful batch was committed.
      const again = await collect(log, { groupId, topics: ['audit'], fromBeginning: true });
      await log.append(keyedRecords('audit', 1, 1, 10));
      await again.until((r) => r.length >= 1);
      await again.stop();
      assert.deepEqual(again.records.map(seqOf), [10]);
    });

    test('two members of one group split the partitions: every record reaches exactly one of them', async () => {
      const { log } = await fresh();
      const groupId = uniqueName('g');
      const a = await collect(log, { groupId, topics: ['orders'], fromBeginning: true });
      const b = await collect(log, { groupId, topics: ['orders'], fromBeginning: true });
      await sleep(impl.name === 'embedded' ? 600 : 1500); // let the group settle on its assignment
      await log.append(keyedRecords('orders', 120, 24));
      await eventually(() => a.records.length + b.records.length >= 120, 20_000, 'all 120 records delivered');
      await sleep(300);
      await Promise.all([a.stop(), b.stop()]);
      const seen = [...a.records, ...b.records].map((r) => `${r.key}/${seqOf(r)}`);
      assert.equal(new Set(seen).size, 120);
      assert.equal(seen.length, 120, 'no record went to both members');
      const pa = new Set(a.records.map((r) => r.partition));
      assert.ok(b.records.every((r) => !pa.has(r.partition)), 'no partition is shared');
    });
  });
}
