/**
 * Helpers for runner and projector tests: a real log (embedded in a temp dir, or the suite's
 * Kafka under a unique topic prefix), appending envelopes, a fault-injecting wrapper that
 * fails a batch *after* the runner stored it (so the log delivers it again, as after a crash
 * between store and acknowledgement), and realistic event streams.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CATALOG, type Envelope } from '../../events/index.ts';
import { EmbeddedEventLog } from '../../src/eventlog/embedded/log.ts';
import { KafkaEventLog } from '../../src/eventlog/kafka/log.ts';
import { catalogTopics } from '../../src/eventlog/topics.ts';
import type { EventLog, LogRecord, SubscribeOptions, Subscription } from '../../src/eventlog/types.ts';
import { deleteKafkaTopics } from './eventlog-harness.ts';

export { deleteKafkaTopics };

export const kafkaBrokers: string[] | null = process.env.KAFKA_BROKERS ? process.env.KAFKA_BROKERS.split(',') : null;

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `jarvis-${label}-`));
}

/** Opens the same log again and again (a restart), embedded in `dir` or on Kafka under one prefix. */
export interface LogHandle {
  readonly kind: 'embedded' | 'kafka';
  open(): EventLog;
  /** Deletes what the log left on a shared broker (nothing for the embedded log: its dir goes). */
  cleanup(): Promise<void>;
}

export function embeddedLog(dir: string, maxBatchRecords = 500): LogHandle {
  const file = path.join(dir, 'eventlog.db');
  return { kind: 'embedded', open: () => new EmbeddedEventLog({ file, topics: catalogTopics(), durability: 'normal', consumer: { heartbeatMs: 200, leaseMs: 3000, maxBatchRecords } }), cleanup: async () => {} };
}

export function kafkaLog(brokers: string[]): LogHandle {
  const prefix = `p${Date.now().toString(36)}${randomBytes(3).toString('hex')}.`;
  return {
    kind: 'kafka',
    open: () => new KafkaEventLog({ brokers, clientId: 'jarvis-projections-test', topics: catalogTopics(), topicPrefix: prefix }),
    cleanup: () => deleteKafkaTopics(brokers, prefix),
  };
}

/** The log record of an envelope: its catalog topic, the given partition key. */
export function recordOf(env: Envelope, key: string): LogRecord {
  const def = CATALOG.get(env.type);
  return { topic: def?.topic ?? 'jarvis.http', key, value: Buffer.from(JSON.stringify(env)) };
}

/** The partition key each topic documents (events/index.ts TOPICS), as the API publishes them. */
export function keyOf(env: Envelope): string {
  const d = env.data as Record<string, unknown>;
  switch (CATALOG.get(env.type)?.topic) {
    case 'jarvis.sessions':
      return String(d.session_id);
    case 'jarvis.admin':
      return String(d.key_id ?? d.block_id);
    case 'jarvis.tts':
      return String(d.job_id);
    case 'jarvis.chat':
      return String(d.conversation_id);
    default:
      return String(d.ip ?? d.principal ?? d.instance ?? 'system');
  }
}

export async function appendAll(log: EventLog, events: readonly Envelope[], chunk = 1000): Promise<void> {
  for (let i = 0; i < events.length; i += chunk) await log.append(events.slice(i, i + chunk).map((e) => recordOf(e, keyOf(e))));
}

/**
 * Wraps a real log: the first `failures` batches that the handler processed successfully are
 * then failed, so the log does not commit them and delivers them again.
 */
export function failingAfterHandler(log: EventLog, failures: number): EventLog & { failed: number } {
  const wrapped = {
    kind: log.kind,
    failed: 0,
    start: () => log.start(),
    append: (r: readonly LogRecord[]) => log.append(r),
    health: () => log.health(),
    close: () => log.close(),
    subscribe: (o: SubscribeOptions): Promise<Subscription> =>
      log.subscribe({
        ...o,
        onBatch: async (batch) => {
          await o.onBatch(batch);
          if (wrapped.failed < failures) {
            wrapped.failed++;
            throw new Error('injected: lost the acknowledgement after the store');
          }
        },
      }),
  };
  return wrapped;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function eventually(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`not met within ${timeoutMs} ms: ${what}`);
    await sleep(20);
  }
}
