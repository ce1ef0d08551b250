/**
 * The runner against the real embedded log: state and positions stored together, restarts that
 * continue exactly, batches delivered again after a lost acknowledgement, duplicate ids,
 * unknown types, a failing store-backed projection, readiness and lag.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { RequestCompleted, type Envelope } from '../../events/index.ts';
import { countInWindow, rateCountersProjection, type RateCountersState } from '../../src/projections/ratelimit/index.ts';
import { ProjectionRunner, type RunnerOptions } from '../../src/projections/runner.ts';
import type { AppliedEvent, Projection, StoreProjection } from '../../src/projections/types.ts';
import { at } from '../support/projections-given.ts';
import { appendAll, embeddedLog, eventually, failingAfterHandler, kafkaBrokers, kafkaLog, recordOf, tempDir, type LogHandle } from '../support/projections-log.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const counters = rateCountersProjection({ maxWindowMs: 3_600_000 }) as Projection<unknown>;

function requests(n: number, from = 0): Envelope[] {
  return Array.from({ length: n }, (_, i) =>
    at(T0 + (from + i) * 10, RequestCompleted, {
      method: 'GET', route: '/status', status: 200, duration_ms: 1, bytes_in: 0, bytes_out: 10, ip: `10.0.0.${(from + i) % 50}`,
      principal: 'key-a', tier: 'api', error_code: null, request_id: `r${from + i}`, instance: 'i1',
    }, { id: `req-${from + i}` }));
}

/** A store-backed projection: one row per event, so a double count is visible in SQL. */
function rowsStore(): StoreProjection & { committed: number } {
  return {
    name: 'rows',
    topics: ['jarvis.http'],
    committed: 0,
    setup: (db: Database.Database) => db.exec('CREATE TABLE IF NOT EXISTS test_rows (id TEXT PRIMARY KEY, topic TEXT)'),
    drop: (db: Database.Database) => db.exec('DROP TABLE IF EXISTS test_rows'),
    applyBatch(db: Database.Database, events: readonly AppliedEvent[]) {
      const insert = db.prepare('INSERT INTO test_rows (id, topic) VALUES (?, ?)');
      for (const e of events) insert.run(e.envelope.id, e.topic);
    },
    afterCommit(events) {
      this.committed += events.length;
    },
  };
}

function apiCount(runner: ProjectionRunner): number {
  return countInWindow(runner.state<RateCountersState>('ratelimit'), 'api', 'principal', 'key-a', T0 + 3_000_000, 3_600_000);
}

function sqlCount(runner: ProjectionRunner): number {
  return (runner['db'] as Database.Database).prepare('SELECT COUNT(*) AS n FROM test_rows').pluck().get() as number;
}

async function withRunner(opts: Partial<RunnerOptions> & Pick<RunnerOptions, 'log' | 'file'>, fn: (r: ProjectionRunner) => Promise<void>): Promise<void> {
  const runner = new ProjectionRunner({ setName: 'test', projections: [counters], stores: [rowsStore()], settleMs: 100, ...opts });
  await runner.start();
  try {
    await fn(runner);
  } finally {
    await runner.stop();
  }
}

const LOGS: [string, (dir: string, batch?: number) => LogHandle][] = [['embedded log', (dir, batch) => embeddedLog(dir, batch)]];
if (kafkaBrokers) LOGS.push(['Kafka', () => kafkaLog(kafkaBrokers!)]);

for (const [label, handle] of LOGS) {
  test(`events are applied once, stored with their positions, and a restart continues where it stopped (${label})`, { timeout: 120_000 }, async () => {
    const dir = tempDir('runner');
    const h = handle(dir);
    const log = h.open();
    await log.start();
    const file = path.join(dir, 'projections.db');
    try {
      await appendAll(log, requests(300));
      await withRunner({ log, file }, async (r) => {
        await eventually(() => apiCount(r) === 300, 30_000, 'the 300 events');
        await r.ready;
        assert.equal(sqlCount(r), 300);
        assert.deepEqual(r.lag(), { events: 0, seconds: 0 });
      });
      await appendAll(log, requests(100, 300));
      await withRunner({ log, file }, async (r) => {
        await eventually(() => apiCount(r) === 400, 30_000, 'the 100 new events');
        assert.equal(sqlCount(r), 400);
        assert.equal(r.stats.applied, 100, 'only the new events were applied after the restart');
      });
    } finally {
      await log.close();
      await h.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`batches that change nothing store their positions later, and all of them by stop: a restart reads nothing again (${label})`, { timeout: 120_000 }, async () => {
    const dir = tempDir('runner');
    const h = handle(dir, 20);
    const log = h.open();
    await log.start();
    const file = path.join(dir, 'projections.db');
    // The limiter's own 429s: the counters refuse them.
    const refused = (n: number, from: number) => requests(n, from).map((e) => ({ ...e, id: `refused-${e.id}`, data: { ...(e.data as object), status: 429 } }) as Envelope);
    try {
      await appendAll(log, requests(10));
      await withRunner({ log, file, stores: [] }, async (r) => {
        await r.ready;
        await eventually(() => apiCount(r) === 10, 30_000, 'the first 10');
        await appendAll(log, refused(200, 10));
        // Refused events count as applied (folding them changes nothing).
        await eventually(() => r.stats.applied === 210, 30_000, 'everything read');
      });
      if (label === 'embedded log') {
        // Every partition's stored position is its head: the ones that only saw refused records too.
        const heads = new Database(path.join(dir, 'eventlog.db'), { readonly: true }).prepare('SELECT topic, partition, MAX("offset") AS head FROM records GROUP BY topic, partition').all() as { topic: string; partition: number; head: number }[];
        const stored = new Database(file, { readonly: true }).prepare('SELECT topic, partition, "offset" FROM runner_positions WHERE set_name = ?').all('test') as { topic: string; partition: number; offset: string }[];
        const byKey = new Map(stored.map((p) => [`${p.topic}:${p.partition}`, Number(p.offset)]));
        assert.ok(heads.length > 1);
        for (const h of heads) assert.equal(byKey.get(`${h.topic}:${h.partition}`), h.head, `stored position of ${h.topic}:${h.partition}: ${JSON.stringify(heads)} ${JSON.stringify(stored)}`);
      }
      await withRunner({ log, file, stores: [] }, async (r) => {
        await r.ready;
        assert.equal(apiCount(r), 10);
        assert.equal(r.stats.applied, 0, 'nothing read again after the restart');
        assert.equal(r.stats.alreadyApplied, 0);
      });
    } finally {
      await log.close();
      await h.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`a batch delivered again after its acknowledgement was lost is not counted twice (${label})`, { timeout: 120_000 }, async () => {
    const dir = tempDir('runner');
    const h = handle(dir, 40);
    const log = failingAfterHandler(h.open(), 5);
    await log.start();
    try {
      await appendAll(log, requests(300));
      await withRunner({ log, file: path.join(dir, 'projections.db') }, async (r) => {
        await eventually(() => log.failed === 5 && apiCount(r) === 300, 60_000, 'all batches, some twice');
        await r.ready;
        assert.equal(apiCount(r), 300);
        assert.equal(sqlCount(r), 300);
        assert.ok(r.stats.alreadyApplied >= 5, `re-delivered records were skipped (${r.stats.alreadyApplied})`);
      });
    } finally {
      await log.close();
      await h.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the same event id under two offsets is applied once; unknown types are skipped and counted', async () => {
  const dir = tempDir('runner');
  const log = embeddedLog(dir).open();
  await log.start();
  try {
    const [one] = requests(1);
    const future = { ...one!, id: 'from-the-future', type: 'jarvis.http.something_new.v1' };
    await log.append([recordOf(one!, 'same'), recordOf(one!, 'same'), { topic: 'jarvis.http', key: 'same', value: Buffer.from(JSON.stringify(future)) }]);
    await withRunner({ log, file: path.join(dir, 'projections.db') }, async (r) => {
      await r.ready;
      assert.equal(apiCount(r), 1);
      assert.equal(sqlCount(r), 1);
      assert.equal(r.stats.duplicates, 1);
      assert.equal(r.stats.unknownTypes, 1);
    });
  } finally {
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a store-backed projection that fails rolls the batch back, and memory is restored before the retry', async () => {
  const dir = tempDir('runner');
  const log = embeddedLog(dir, 50).open();
  await log.start();
  try {
    await appendAll(log, requests(200));
    const store = rowsStore();
    let failures = 0;
    const apply = store.applyBatch.bind(store);
    store.applyBatch = (db, events) => {
      apply(db, events);
      if (failures++ < 2) throw new Error('injected: disk full');
    };
    await withRunner({ log, file: path.join(dir, 'projections.db'), stores: [store] }, async (r) => {
      await eventually(() => sqlCount(r) === 200, 20_000, 'all rows after the retries');
      assert.equal(apiCount(r), 200, 'the in-memory counters did not keep the failed attempts');
      assert.equal(store.committed, 200);
    });
  } finally {
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Stops a runner the way a crash would: no final snapshot, no build completion. */
async function crash(runner: ProjectionRunner): Promise<void> {
  await runner['sub']!.stop();
  clearInterval(runner['readyTimer']);
  runner['lock']!.release();
  (runner['db'] as Database.Database).close();
}

test('after the build, state lives in the journal between snapshots, and a restart replays it exactly', async () => {
  const dir = tempDir('runner');
  const log = embeddedLog(dir, 25).open();
  await log.start();
  const file = path.join(dir, 'projections.db');
  try {
    await appendAll(log, requests(100));
    const runner = new ProjectionRunner({ log, file, setName: 'test', projections: [counters], snapshotMinGapMs: 3_600_000, settleMs: 100 });
    await runner.start();
    await runner.ready;
    await eventually(() => runner['building'] === false, 5000, 'the build finished');
    const group = runner.consumerGroup;
    await appendAll(log, requests(150, 100));
    await eventually(() => apiCount(runner) === 250, 10_000, 'all events');
    assert.equal(runner.stats.snapshots, 1, 'only the snapshot that ended the build');
    await crash(runner);
    await withRunner({ log, file }, async (r) => {
      await r.ready;
      assert.equal(r.consumerGroup, group, 'the same generation continues');
      assert.equal(apiCount(r), 250);
      assert.equal(r.stats.applied, 0, 'nothing read from the log again: the journal had it');
    });
  } finally {
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a build that crashes midway starts over from the beginning and still counts everything once', async () => {
  const dir = tempDir('runner');
  const log = embeddedLog(dir, 10).open();
  await log.start();
  const file = path.join(dir, 'projections.db');
  try {
    await appendAll(log, requests(400));
    const runner = new ProjectionRunner({ log, file, setName: 'test', projections: [counters], stores: [rowsStore()], settleMs: 5000 });
    await runner.start();
    await eventually(() => runner.stats.applied >= 100, 10_000, 'part of the build');
    const group = runner.consumerGroup;
    await crash(runner);
    await withRunner({ log, file }, async (r) => {
      await eventually(() => apiCount(r) === 400, 20_000, 'the whole log again');
      assert.notEqual(r.consumerGroup, group, 'a new generation');
      assert.equal(sqlCount(r), 400, 'the half-built table was dropped and rebuilt');
    });
  } finally {
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a second process cannot run the same set while the first holds it', async () => {
  const dir = tempDir('runner');
  const log = embeddedLog(dir).open();
  await log.start();
  const file = path.join(dir, 'projections.db');
  try {
    await withRunner({ log, file }, async () => {
      const second = new ProjectionRunner({ log, file, setName: 'test', projections: [counters], lockWaitMs: 300 });
      await assert.rejects(second.start(), /is run by another process/);
    });
  } finally {
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
