/**
 * One subscription on Kafka: a kafkajs consumer in the group, batches handed to `onBatch`
 * per partition, and the position committed only after `onBatch` resolved (auto-commit and
 * auto-resolve are off). A throwing handler gets the same batch again after a backoff, while
 * the consumer keeps heartbeating; if the partition is taken away meanwhile, the batch is left
 * uncommitted for its new owner (at-least-once).
 */
import type { Admin, Consumer, IHeaders, Kafka } from 'kafkajs';
import type { ConsumedRecord, SubscribeOptions, Subscription } from '../types.ts';
import { errorMessage, type LogSink } from '../logger.ts';
import { settleWithin } from '../timeout.ts';
import { logicalTopic, physicalTopic } from '../topics.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** kafkajs hands headers over as Buffers (or arrays of them); the contract wants strings. */
export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [k, v] of Object.entries(headers)) {
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last !== undefined) out[k] = Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
  }
  return out;
}

/**
 * A new group that should not start from the beginning gets its positions set to the current
 * end before it joins, so everything appended after `subscribe` resolved is delivered (kafkajs
 * would otherwise resolve "latest" only at its first fetch, racing with those appends).
 */
async function startNewGroupAtEnd(admin: Admin, groupId: string, topics: readonly string[], log: LogSink): Promise<void> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const t of committed) {
    if (t.partitions.some((p) => p.offset !== '-1')) continue;
    const ends = await admin.fetchTopicOffsets(t.topic);
    try {
      await admin.setOffsets({ groupId, topic: t.topic, partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })) });
    } catch (err) {
      // Another member joined first: the group exists and has its own positions.
      log.debug({ groupId, topic: t.topic, err: errorMessage(err) }, 'kafka: could not preset positions for new group');
    }
  }
}

/**
 * Joins the group. Retries a few times on errors kafkajs marks retriable (right after topics
 * were created, or while the controller is busy, metadata may briefly lack a partition).
 */
export async function subscribeKafka(kafka: Kafka, admin: Admin, prefix: string, options: SubscribeOptions, log: LogSink, joinTimeoutMs = 30_000): Promise<Subscription> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await subscribeOnce(kafka, admin, prefix, options, log, joinTimeoutMs);
    } catch (err) {
      const retriable = (err as { retriable?: boolean }).retriable === true;
      if (!retriable || attempt >= 4) throw err;
      log.warn({ groupId: options.groupId, err: errorMessage(err), attempt }, 'kafka: subscribe failed, retrying');
      await sleep(250 * attempt);
    }
  }
}

async function subscribeOnce(kafka: Kafka, admin: Admin, prefix: string, options: SubscribeOptions, log: LogSink, joinTimeoutMs: number): Promise<Subscription> {
  const topics = options.topics.map((t) => physicalTopic(prefix, t));
  if (!options.fromBeginning) await startNewGroupAtEnd(admin, options.groupId, topics, log);
  const consumer: Consumer = kafka.consumer({ groupId: options.groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 250, allowAutoTopicCreation: false, retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 } });
  let timer: NodeJS.Timeout | undefined;
  const joined = new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`kafka: group ${options.groupId} not joined within ${joinTimeoutMs} ms`)), joinTimeoutMs);
    const off = consumer.on(consumer.events.GROUP_JOIN, () => {
      clearTimeout(timer);
      off();
      resolve();
    });
  });
  joined.catch(() => {}); // observed below; this only keeps an early failure from being "unhandled"
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: options.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
        if (batch.isEmpty()) return;
        const topic = logicalTopic(prefix, batch.topic);
        const records: ConsumedRecord[] = batch.messages.map((m) => ({
          topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key ? m.key.toString('utf8') : '',
          value: m.value ?? Buffer.alloc(0),
          timestamp: Number(m.timestamp),
          headers: headersToStrings(m.headers),
        }));
        // The contract's highWatermark is the newest record's offset; Kafka's is the next one.
        const highWatermark = (BigInt(batch.highWatermark) - 1n).toString();
        for (let backoff = 100; ; backoff = Math.min(backoff * 2, 5000)) {
          if (!isRunning() || isStale()) return;
          // kafkajs heartbeats only between fetches or when asked: keep the membership alive
          // while a long batch (a rebuild, a slow disk) is in the handler.
          const beat = setInterval(() => void heartbeat().catch(() => {}), 1000);
          try {
            await options.onBatch({ topic, partition: batch.partition, records, highWatermark });
            break;
          } catch (err) {
            log.warn({ groupId: options.groupId, topic, partition: batch.partition, err: errorMessage(err), retryInMs: backoff }, 'kafka: batch handler failed, retrying');
            await sleep(backoff);
          } finally {
            clearInterval(beat);
          }
        }
        const next = (BigInt(batch.lastOffset()) + 1n).toString();
        await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
        resolveOffset(batch.lastOffset());
      },
    });
    await joined;
  } catch (err) {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
    throw err;
  }
  return {
    // disconnect() stops fetching, waits for the batch in hand, and leaves the group.
    stop: async () => {
      if (!(await settleWithin(consumer.disconnect(), 20_000))) {
        log.warn({ groupId: options.groupId }, 'kafka: consumer did not leave its group within 20 s; the broker will evict it');
      }
    },
  };
}
