/**
 * Event-log throughput: `node --import tsx bench/eventlog.ts` (Kafka parts need KAFKA_BROKERS,
 * e.g. `bash scripts/kafka/start.sh && KAFKA_BROKERS=127.0.0.1:9092 node --import tsx bench/eventlog.ts`).
 * Measures append events/s (batches of 500 realistic envelopes) on the embedded log and on
 * Kafka, the cost of one publish() call on the request path, publish→consumer latency, and
 * consumption rate. Uses temporary data directories and unique Kafka topic prefixes.
 */
import fs from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import os from 'node:os';
import path from 'node:path';
import { RequestCompleted } from '../events/index.ts';
import { loadConfig } from '../src/config/config.ts';
import { envelopeFactory } from '../src/eventlog/envelope.ts';
import { createEventLog, createPublisher } from '../src/eventlog/factory.ts';
import type { EventLog, LogRecord } from '../src/eventlog/types.ts';
import { systemClock } from '../src/shared/clock.ts';
import { randomIds } from '../src/shared/ids.ts';

const TOPICS = { 'jarvis.http': { partitions: 6, retentionMs: 86_400_000 } };
const brokers = process.env.KAFKA_BROKERS;
const data = (i: number) => ({ method: 'POST', route: '/api/chat', status: 200, duration_ms: 12.5, bytes_in: 312, bytes_out: 2048, ip: `10.1.${(i >> 8) & 255}.${i & 255}`, principal: 'env-1', tier: 'api' as const, error_code: null, request_id: `req-${i}`, instance: 'bench' });

function records(n: number): LogRecord[] {
  const envelopes = envelopeFactory('/jarvis-api/bench', systemClock, randomIds);
  return Array.from({ length: n }, (_, i) => {
    const env = envelopes.create(RequestCompleted, data(i % 5000), { key: `10.1.0.${i % 200}`, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    return { topic: 'jarvis.http', key: `10.1.0.${i % 200}`, value: Buffer.from(JSON.stringify(env)), headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' } };
  });
}

async function appendRate(log: EventLog, total: number, batch: number): Promise<number> {
  const recs = records(batch);
  await log.append(recs); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < total; i += batch) await log.append(recs);
  return total / ((performance.now() - t0) / 1000);
}

async function consumeRate(log: EventLog, expected: number): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    void log.subscribe({ groupId: `bench-${Date.now()}`, topics: ['jarvis.http'], fromBeginning: true, onBatch: async (b) => {
      n += b.records.length;
      if (n >= expected) resolve();
    } }).then((s) => (stopSub = s));
  });
  const rate = n / ((performance.now() - t0) / 1000);
  await stopSub?.stop();
  return rate;
}
let stopSub: { stop(): Promise<void> } | undefined;

async function publishCost(log: EventLog, dir: string, rounds: number, perRound: number) {
  const config = loadConfig({ NODE_ENV: 'test', JARVIS_DATA_DIR: dir, JARVIS_INSTANCE_ID: 'bench', ...(brokers && { KAFKA_BROKERS: brokers }) });
  const publisher = createPublisher(config, log, systemClock, randomIds);
  const samples: number[] = [];
  let commitMs = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) publisher.publish(RequestCompleted, data(i), { key: data(i).ip, requestId: `req-${i}` });
    samples.push(Number(process.hrtime.bigint() - t0) / 1000 / perRound);
    const t1 = performance.now();
    await publisher.flush();
    commitMs += performance.now() - t1;
  }
  const t2 = performance.now();
  await publisher.drain(120_000);
  const drainMs = performance.now() - t2;
  await publisher.close();
  samples.sort((a, b) => a - b);
  return { publishUs: samples[Math.floor(samples.length / 2)]!, commitUsPerEvent: (commitMs * 1000) / (rounds * perRound), drainMs };
}

async function latency(log: EventLog, n: number): Promise<{ p50: number; p99: number }> {
  const sent = new Map<string, bigint>();
  const lat: number[] = [];
  const sub = await log.subscribe({ groupId: `lat-${Date.now()}`, topics: ['jarvis.http'], fromBeginning: false, onBatch: async (b) => {
    const now = process.hrtime.bigint();
    for (const r of b.records) {
      const t = sent.get(r.key);
      if (t !== undefined) lat.push(Number(now - t) / 1e6);
    }
  } });
  await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i < n; i++) {
    const key = `lat-${i}`;
    sent.set(key, process.hrtime.bigint());
    await log.append([{ topic: 'jarvis.http', key, value: Buffer.from('{}') }]);
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 500));
  await sub.stop();
  lat.sort((a, b) => a - b);
  return { p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.floor(lat.length * 0.99)]! };
}

async function run(kind: 'embedded' | 'kafka') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jarvis-bench-'));
  const prefix = `bench-${Date.now()}.`;
  const config = loadConfig({ NODE_ENV: 'test', JARVIS_DATA_DIR: dir, ...(kind === 'kafka' && { KAFKA_BROKERS: brokers!, JARVIS_TOPIC_PREFIX: prefix }) });
  const log = createEventLog(config, { topics: TOPICS });
  await log.start();
  const total = kind === 'embedded' ? 200_000 : 100_000;
  const append = await appendRate(log, total, 500);
  const consume = await consumeRate(log, total);
  const lat = await latency(log, 200);
  const pub = await publishCost(log, dir, 20, 5000);
  await log.close();
  fs.rmSync(dir, { recursive: true, force: true });
  if (kind === 'kafka') {
    const admin = new Kafka({ clientId: 'jarvis-bench', brokers: brokers!.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(prefix)) });
    await admin.disconnect();
  }
  console.log(JSON.stringify({ log: kind, appendEventsPerSec: Math.round(append), consumeEventsPerSec: Math.round(consume), appendToConsumerMs: lat, publishCallUs: +pub.publishUs.toFixed(2), groupCommitUsPerEvent: +pub.commitUsPerEvent.toFixed(2), drain100kMs: Math.round(pub.drainMs), recordBytes: records(1)[0]!.value.length }));
}

await run('embedded');
if (brokers) await run('kafka');
else console.log('KAFKA_BROKERS not set: Kafka skipped');
