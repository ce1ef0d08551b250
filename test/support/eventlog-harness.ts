/**
 * Helpers for the event-log tests: unique names (so tests can share one broker and run twice),
 * temporary data directories, and a collecting consumer that can be awaited.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { EmbeddedEventLog } from '../../src/eventlog/embedded/log.ts';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaEventLog } from '../../src/eventlog/kafka/log.ts';
import type { TopicSpecs } from '../../src/eventlog/topics.ts';
import type { ConsumedRecord, EventLog, SubscribeOptions, Subscription } from '../../src/eventlog/types.ts';

/** Brokers of the suite's Kafka (`npm test` sets KAFKA_BROKERS), or null. */
export const kafkaBrokers: string[] | null = process.env.KAFKA_BROKERS ? process.env.KAFKA_BROKERS.split(',') : null;

export function uniqueName(label: string): string {
  return `${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `jarvis-${label}-`));
}

/** A way to open the same log again (same file, or same broker and prefix). */
export interface LogFactory {
  readonly kind: 'embedded' | 'kafka';
  open(): EventLog;
  cleanup(): Promise<void> | void;
}

export function embeddedFactory(topics: TopicSpecs, dir = tempDir('eventlog')): LogFactory & { file: string } {
  const file = path.join(dir, 'eventlog.db');
  return {
    kind: 'embedded',
    file,
    open: () => new EmbeddedEventLog({ file, topics, consumer: { heartbeatMs: 200, leaseMs: 3000 } }),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export function kafkaFactory(topics: TopicSpecs, brokers: string[], prefix = `${uniqueName('t')}.`): LogFactory {
  return {
    kind: 'kafka',
    open: () => new KafkaEventLog({ brokers, clientId: 'jarvis-test', topics, topicPrefix: prefix }),
    cleanup: () => deleteKafkaTopics(brokers, prefix),
  };
}

/** Deletes the topics a test created under `prefix`, so the shared broker does not pile them up. */
export async function deleteKafkaTopics(brokers: string[], prefix: string): Promise<void> {
  const admin = new Kafka({ clientId: 'jarvis-test-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  } catch {
    // best effort: a leftover topic is harmless, only untidy
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** A consumer that keeps what it receives. */
export interface Collector {
  readonly records: ConsumedRecord[];
  readonly batches: number;
  /** Resolves once `predicate` holds (checked after every batch), rejects after `timeoutMs`. */
  until(predicate: (records: ConsumedRecord[]) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function collect(
  log: EventLog,
  options: Omit<SubscribeOptions, 'onBatch'> & { onBatch?: SubscribeOptions['onBatch'] },
): Promise<Collector> {
  const records: ConsumedRecord[] = [];
  let batches = 0;
  const waiters = new Set<() => void>();
  const sub: Subscription = await log.subscribe({
    ...options,
    onBatch: async (batch) => {
      if (options.onBatch) await options.onBatch(batch);
      records.push(...batch.records);
      batches++;
      for (const w of waiters) w();
    },
  });
  return {
    records,
    get batches() {
      return batches;
    },
    until(predicate, timeoutMs = 20_000) {
      if (predicate(records)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(records)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`collector: condition not met within ${timeoutMs} ms (have ${records.length} records)`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    stop: () => sub.stop(),
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `n` records over `keys` keys, each value `{key, seq}` with seq counting per key from `from`. */
export function keyedRecords(topic: string, n: number, keys: number, from = 0, tag = 'k'): { topic: string; key: string; value: Buffer; headers: Record<string, string> }[] {
  return Array.from({ length: n }, (_, i) => {
    const key = `${tag}${i % keys}`;
    const seq = from + Math.floor(i / keys);
    return { topic, key, value: Buffer.from(JSON.stringify({ key, seq })), headers: { 'x-seq': String(seq) } };
  });
}

export function seqOf(r: ConsumedRecord): number {
  return (JSON.parse(r.value.toString('utf8')) as { seq: number }).seq;
}

/** Polls `predicate` every 20 ms until it holds; rejects after `timeoutMs` with `what`. */
export async function eventually(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`not met within ${timeoutMs} ms: ${what}`);
    await sleep(20);
  }
}

/** Data for a RequestCompleted event whose request_id carries a per-IP sequence number. */
export function requestEvent(ip: string, seq: number) {
  return { method: 'GET', route: '/status', status: 200, duration_ms: 1, bytes_in: 0, bytes_out: 10, ip, principal: null, tier: null, error_code: null, request_id: `${ip}#${seq}`, instance: 'test' };
}
