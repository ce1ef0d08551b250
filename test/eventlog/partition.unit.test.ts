/** The partitioner both logs share is Kafka's: it agrees with kafkajs' own default partitioner. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Partitioners } from 'kafkajs';
import { partitionFor } from '../../src/eventlog/partition.ts';

const KEYS = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', '10.0.0.1', '2001:db8::1', 'session-7f3a', 'ключ', '🔑-key', 'x'.repeat(257)];

test('partitionFor matches kafkajs DefaultPartitioner for every key and partition count', () => {
  const kafkajs = Partitioners.DefaultPartitioner();
  for (const n of [1, 3, 6, 7, 64]) {
    const partitionMetadata = Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    for (const key of KEYS) {
      assert.equal(partitionFor(key, n), kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } }), `key ${JSON.stringify(key.slice(0, 20))} over ${n}`);
    }
  }
});

test('a key maps to the same partition every time and within range', () => {
  for (const key of KEYS) {
    const p = partitionFor(key, 6);
    assert.ok(p >= 0 && p < 6);
    assert.equal(partitionFor(key, 6), p);
  }
});
