/**
 * A consumer of the embedded log in the process that appends gets those records from memory,
 * with the envelope the publisher built (no decoding), and still sees everything another
 * connection to the same file appends in between — in offset order, once each.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Envelope } from '../../events/index.ts';
import Database from 'better-sqlite3';
import { EmbeddedEventLog } from '../../src/eventlog/embedded/log.ts';
import type { EventLog, LogRecord } from '../../src/eventlog/types.ts';
import { collect, embeddedFactory, seqOf, uniqueName } from '../support/eventlog-harness.ts';

const TOPICS = { orders: { partitions: 1, retentionMs: -1 } };

/** A record as the publisher hands it over: the value and, alongside, the envelope it encodes. */
function withEnvelope(seq: number, writer: string): LogRecord {
  const envelope = { specversion: '1.0', id: `${writer}-${seq}`, source: `/test/${writer}`, type: 'jarvis.test.v1', time: new Date(0).toISOString(), datacontenttype: 'application/json', data: { key: 'k', seq } } as Envelope;
  return { topic: 'orders', key: 'k', value: Buffer.from(JSON.stringify({ key: 'k', seq })), envelope };
}

function plain(seq: number): LogRecord {
  return { topic: 'orders', key: 'k', value: Buffer.from(JSON.stringify({ key: 'k', seq })) };
}

describe('embedded log: in-process tail', () => {
  const factory = embeddedFactory(TOPICS);
  const logs: EventLog[] = [];
  after(async () => {
    for (const l of logs) await l.close();
    factory.cleanup();
  });

  test('own appends arrive with their envelope; another connection’s appends in between are not skipped', async () => {
    // No rebalance during the test (a rebalance re-reads every partition from SQLite anyway).
    const mine = new EmbeddedEventLog({ file: factory.file, topics: TOPICS, consumer: { heartbeatMs: 60_000, leaseMs: 120_000 } });
    const other = factory.open(); // a second connection to the file: to `mine`, another writer
    logs.push(mine, other);
    await mine.start();
    await other.start();
    await mine.append([plain(0), plain(1)]); // before the consumer exists: read from SQLite
    const c = await collect(mine, { groupId: uniqueName('g'), topics: ['orders'], fromBeginning: true });
    await c.until((r) => r.length >= 2, 10_000);
    let seq = 2;
    // Step by step (the consumer drains between appends), then in bursts (it falls behind).
    for (let round = 0; round < 40; round++) {
      await mine.append([withEnvelope(seq++, 'mine'), withEnvelope(seq++, 'mine')]);
      if (round % 3 === 0) await other.append([plain(seq++)]);
      if (round < 20 || round % 7 === 0) await c.until((r) => r.length >= seq, 10_000);
    }
    await c.until((r) => r.length >= seq, 10_000);
    // Last, another writer appends after this process's newest record: the consumer notices the
    // commit (data_version) and reads it from SQLite, though its own tail holds nothing new.
    await other.append([plain(seq++)]);
    await c.until((r) => r.length >= seq, 2_000);
    // A commit that appends nothing (another consumer group moving its position) does not send
    // this process's consumers back to SQLite for what it appends next.
    const raw = new Database(factory.file);
    raw.prepare('INSERT INTO positions (group_id, topic, partition, next_offset) VALUES (?, ?, ?, ?)').run('someone-else', 'orders', 0, 1);
    const quiet = seq;
    await mine.append([withEnvelope(seq++, 'mine')]); // before the consumer's next pass sees that commit
    raw.close();
    await c.until((r) => r.length >= seq, 2_000);
    assert.ok(c.records[quiet]!.envelope, 'still from memory after a commit that appended nothing');
    await c.stop();

    assert.deepEqual(c.records.map(seqOf), Array.from({ length: seq }, (_, i) => i), 'every record once, in order');
    assert.deepEqual(c.records.map((r) => Number(r.offset)), Array.from({ length: seq }, (_, i) => i));
    const fromMemory = c.records.filter((r) => r.envelope);
    assert.ok(fromMemory.length > 0, 'some of this process’s records came from memory');
    for (const r of fromMemory) {
      assert.equal(r.envelope!.source, '/test/mine', 'only records this process appended carry an envelope');
      assert.deepEqual(r.envelope!.data, JSON.parse(r.value.toString('utf8')), 'the envelope is what the value encodes');
    }
  });
});
