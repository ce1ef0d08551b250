/**
 * publish() on the request path: it returns the envelope built from the injected clock and ids
 * at once, and refuses with the 503 AppError instead of buffering without bound.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestCompleted } from '../../events/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createEventLog, createPublisher } from '../../src/eventlog/factory.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import { isAppError } from '../../src/shared/errors.ts';
import { sequentialIds } from '../../src/shared/ids.ts';
import { requestEvent, tempDir } from '../support/eventlog-harness.ts';
import fs from 'node:fs';
import type { EventLog } from '../../src/eventlog/types.ts';

const dir = tempDir('publisher-unit');
const logs: EventLog[] = [];
// Close what a failed test left open, or its timers keep the test process alive.
after(async () => {
  for (const l of logs) await l.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('publish returns the envelope at once, stamped with the injected clock and id, frozen', async () => {
  const config = loadConfig({ NODE_ENV: 'test', JARVIS_DATA_DIR: dir, JARVIS_INSTANCE_ID: 'unit' });
  const log = createEventLog(config);
  logs.push(log);
  await log.start();
  const publisher = createPublisher(config, log, fixedClock(Date.UTC(2026, 0, 2, 3, 4, 5)), sequentialIds('ev'));
  const env = publisher.publish(RequestCompleted, requestEvent('203.0.113.9', 0), { key: '203.0.113.9', requestId: 'req-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
  assert.equal(env.id, 'ev-1');
  assert.equal(env.time, '2026-01-02T03:04:05.000Z');
  assert.equal(env.type, 'jarvis.http.request_completed.v1');
  assert.equal(env.source, '/jarvis-api/unit');
  assert.equal(env.requestid, 'req-1');
  assert.ok(Object.isFrozen(env));
  assert.equal(publisher.stats().outboxDepth, 1, 'staged until the group commit runs');
  await publisher.flush();
  assert.equal(publisher.stats().outboxDepth, 0);
  assert.equal(publisher.stats().delivered, 1);
  await publisher.close();
  await log.close();
});

test('publish refuses with ERR_EVENT_LOG_UNAVAILABLE (503, Retry-After) once the backlog reaches its bound', async () => {
  const config = loadConfig({ NODE_ENV: 'test', JARVIS_DATA_DIR: dir, JARVIS_OUTBOX_MAX_EVENTS: '100' });
  const log = createEventLog(config);
  logs.push(log);
  await log.start();
  const publisher = createPublisher(config, log, fixedClock(0), sequentialIds());
  // 100 in one tick: nothing committed yet, the backlog is full.
  for (let i = 0; i < 100; i++) publisher.publish(RequestCompleted, requestEvent('203.0.113.9', i), { key: '203.0.113.9' });
  assert.throws(
    () => publisher.publish(RequestCompleted, requestEvent('203.0.113.9', 100), { key: '203.0.113.9' }),
    (err) => isAppError(err) && err.code === 'ERR_EVENT_LOG_UNAVAILABLE' && err.status === 503 && err.headers['Retry-After'] === '5',
  );
  await publisher.flush();
  assert.doesNotThrow(() => publisher.publish(RequestCompleted, requestEvent('203.0.113.9', 100), { key: '203.0.113.9' }));
  await publisher.close();
  await log.close();
});

test('publish rejects data that does not match the event schema (a caller bug, not a 503)', async () => {
  const config = loadConfig({ NODE_ENV: 'test', JARVIS_DATA_DIR: dir });
  const log = createEventLog(config);
  logs.push(log);
  await log.start();
  const publisher = createPublisher(config, log, fixedClock(0), sequentialIds());
  assert.throws(() => publisher.publish(RequestCompleted, { ...requestEvent('203.0.113.9', 0), status: 'ok' } as never, { key: 'k' }));
  assert.equal(publisher.stats().outboxDepth, 0);
  await publisher.close();
  await log.close();
});
