/**
 * Rebuild gives the same state: build the projections live, incrementally (events arrive in
 * chunks while the runner follows, derived automatic blocks flow back through the log), then
 * drop everything and replay the log from the beginning — on the embedded log, and on the
 * suite's Kafka when KAFKA_BROKERS is set. Also `npm run projector -- --rebuild` as a process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { CATALOG } from '../../events/index.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { createEventLog } from '../../src/eventlog/factory.ts';
import type { EventLog } from '../../src/eventlog/types.ts';
import { ipBlocksProjection } from '../../src/projections/ipblocks/index.ts';
import { keysProjection } from '../../src/projections/keys/index.ts';
import { rateCountersProjection } from '../../src/projections/ratelimit/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { securityDerivation } from '../../src/projections/security/index.ts';
import { sessionsProjection } from '../../src/projections/sessions/index.ts';
import type { DerivedEvent, Projection } from '../../src/projections/types.ts';
import { createDerivedPublisher } from '../../src/projector/publish.ts';
import { PROJECTOR_SET, startProjector } from '../../src/projector/projector.ts';
import { appendAll, deleteKafkaTopics, eventually, kafkaBrokers, tempDir } from '../support/projections-log.ts';
import { realisticEvents } from '../support/projections-stream.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

function configFor(dir: string, brokers: string[] | null): Config {
  return loadConfig({
    NODE_ENV: 'test', JARVIS_DATA_DIR: dir, JARVIS_BRUTE_FORCE_THRESHOLD: '20', JARVIS_LOG_LEVEL: 'silent',
    ...(brokers && { KAFKA_BROKERS: brokers.join(','), JARVIS_TOPIC_PREFIX: `rb${Date.now().toString(36)}${randomBytes(2).toString('hex')}.` }),
  });
}

function allProjections(config: Config): Projection<unknown>[] {
  return [
    sessionsProjection, keysProjection, ipBlocksProjection, rateCountersProjection({ maxWindowMs: 60_000 }),
    securityDerivation({ bruteForceThreshold: config.auth.bruteForceThreshold, bruteForceWindowMs: config.auth.bruteForceWindowMs, bruteForceBlockMs: config.auth.bruteForceBlockMs, keyExpiryWarningMs: config.auth.keyExpiryWarningMs }),
  ] as Projection<unknown>[];
}

async function rebuildEqualsLive(brokers: string[] | null): Promise<void> {
  const dir = tempDir('rebuild');
  const config = configFor(dir, brokers);
  const log: EventLog = createEventLog(config);
  await log.start();
  const file = path.join(dir, 'projections.db');
  const derived = createDerivedPublisher(config, log);
  const emitted: DerivedEvent[] = [];
  const settleMs = brokers ? 2000 : 300;
  try {
    const events = [...realisticEvents(6000, { seed: 7 })];
    const projections = allProjections(config);
    const topics = new Set(projections.flatMap((p) => p.topics));
    const relevant = (upTo: number) => events.slice(0, upTo).filter((e) => topics.has(CATALOG.get(e.type)!.topic)).length;
    const live = new ProjectionRunner({
      log, file, setName: 'all', projections, settleMs,
      publish: async (e) => {
        emitted.push(...e);
        await derived.publish(e);
      },
    });
    await live.start();
    for (let i = 0; i < events.length; i += 1500) {
      await appendAll(log, events.slice(i, i + 1500), 500);
      const expected = relevant(i + 1500);
      await eventually(() => live.stats.applied >= expected, 60_000, `live runner applied the chunk ending at event ${i + 1500}`);
    }
    await derived.publisher.drain(30_000);
    const autoBlocks = () => emitted.filter((e) => e.topic === 'jarvis.admin').length;
    await eventually(() => live.stats.applied === relevant(events.length) + autoBlocks(), 60_000, 'live runner applied the automatic blocks it published');
    assert.ok(autoBlocks() > 0, 'the stream contains brute force');
    const liveState = live.snapshotJson();
    const liveEmitted = live.stats.emitted;
    await live.stop();

    const rebuilt = new ProjectionRunner({ log, file, setName: 'all', projections: allProjections(config), settleMs, rebuild: true, publish: (e) => derived.publish(e) });
    await rebuilt.start();
    try {
      await rebuilt.ready;
      await eventually(() => rebuilt.stats.applied === relevant(events.length) + autoBlocks(), 30_000, 'rebuild applied everything');
      assert.notEqual(rebuilt.consumerGroup, live.consumerGroup, 'a rebuild reads as a new group, from the beginning');
      assert.deepEqual(rebuilt.snapshotJson(), liveState);
      assert.equal(rebuilt.stats.emitted, 0, 'nothing published again: the first run already did');
      assert.equal(rebuilt.stats.suppressed, liveEmitted);
    } finally {
      await rebuilt.stop();
    }
  } finally {
    await derived.close();
    await log.close();
    if (brokers) await deleteKafkaTopics(brokers, config.eventLog.topicPrefix);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a rebuild from the embedded log gives the state the live runner built', { timeout: 180_000 }, () => rebuildEqualsLive(null));

test('a rebuild from Kafka gives the state the live runner built', { timeout: 240_000, skip: kafkaBrokers ? false : 'KAFKA_BROKERS is not set' }, () => rebuildEqualsLive(kafkaBrokers));

function projectorSnapshots(file: string): Record<string, unknown> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT projection, state FROM runner_snapshots WHERE set_name = ? ORDER BY projection').all(PROJECTOR_SET) as { projection: string; state: string }[];
    return Object.fromEntries(rows.map((r) => [r.projection, JSON.parse(r.state) as unknown]));
  } finally {
    db.close();
  }
}

test('`npm run projector -- --rebuild` replays the log into the same read models', { timeout: 180_000 }, async () => {
  const dir = tempDir('rebuild-cli');
  const config = configFor(dir, null);
  const log = createEventLog(config);
  await log.start();
  try {
    await appendAll(log, [...realisticEvents(3000, { seed: 11 })]);
    const projector = await startProjector(config, { log, housekeepingMs: 0, settleMs: 300 });
    await projector.ready;
    const emitted = projector.stats().emitted;
    assert.ok(emitted > 0);
    await projector.stop();
    const before = projectorSnapshots(path.join(dir, 'projections.db'));
    const { stderr } = await run(process.execPath, ['--import', 'tsx', 'src/projector/main.ts', '--rebuild', '--exit-when-caught-up'], {
      cwd: ROOT, timeout: 120_000, env: { ...process.env, NODE_ENV: 'test', JARVIS_DATA_DIR: dir, KAFKA_BROKERS: '', JARVIS_LOG_LEVEL: 'warn' },
    });
    assert.equal(stderr, '');
    const after = projectorSnapshots(path.join(dir, 'projections.db'));
    assert.deepEqual(Object.keys(after), ['security', 'sessions']);
    assert.deepEqual(after, before);
  } finally {
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
