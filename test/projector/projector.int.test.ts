/**
 * The projector end to end on a real log: failed authentications become SECURITY_EVENTs on
 * jarvis.security and, past the threshold, an automatic block that another instance's views
 * enforce; the housekeeping pass expires idle sessions and warns of expiring keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ApiKeyCreated, AuthDecisionRecorded, SessionStarted, type Envelope } from '../../events/index.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { decodeEnvelope } from '../../src/eventlog/envelope.ts';
import { createEventLog } from '../../src/eventlog/factory.ts';
import type { EventLog } from '../../src/eventlog/types.ts';
import { activeBlocks } from '../../src/projections/ipblocks/index.ts';
import { sessionStatus, type SessionsState } from '../../src/projections/sessions/index.ts';
import { startProjector, type Projector } from '../../src/projector/projector.ts';
import { startViews, type Views } from '../../src/projector/views.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { at } from '../support/projections-given.ts';
import { appendAll, deleteKafkaTopics, eventually, kafkaBrokers, tempDir } from '../support/projections-log.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

interface World {
  config: Config;
  log: EventLog;
  projector: Projector;
  views: Views;
  security: Envelope[];
  close(): Promise<void>;
}

async function world(brokers: string[] | null): Promise<World> {
  const dir = tempDir('projector');
  const config = loadConfig({
    NODE_ENV: 'test', JARVIS_DATA_DIR: dir, JARVIS_BRUTE_FORCE_THRESHOLD: '5', JARVIS_BRUTE_FORCE_BLOCK: '15m', JARVIS_KEY_EXPIRY_WARNING: '7d',
    ...(brokers && { KAFKA_BROKERS: brokers.join(','), JARVIS_TOPIC_PREFIX: `pj${Date.now().toString(36)}${randomBytes(2).toString('hex')}.` }),
  });
  const log = createEventLog(config);
  await log.start();
  const settleMs = brokers ? 1500 : 200;
  const projector = await startProjector(config, { log, housekeepingMs: 0, settleMs });
  const views = await startViews({ log, file: ':memory:', setName: 'views-b', maxWindowMs: 60_000, settleMs });
  const security: Envelope[] = [];
  const sub = await log.subscribe({
    groupId: `audit-tail-${randomBytes(4).toString('hex')}`, topics: ['jarvis.security'], fromBeginning: true,
    onBatch: async (b) => void security.push(...b.records.map((r) => decodeEnvelope(r.value))),
  });
  await Promise.all([projector.ready, views.ready]);
  return {
    config, log, projector, views, security,
    async close() {
      await sub.stop();
      await views.stop();
      await projector.stop();
      await log.close();
      if (brokers) await deleteKafkaTopics(brokers, config.eventLog.topicPrefix);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function failure(ip: string, i: number, time = Date.now()): Envelope {
  return at(time, AuthDecisionRecorded, {
    stage: 'authentication', outcome: 'denied', reason: 'unknown_key', method: 'api_key', principal: null, session_id: null, permission: null, ip, route: '/chat', request_id: `bf-${i}`,
  }, { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` });
}

async function bruteForceIsBlockedEverywhere(brokers: string[] | null): Promise<void> {
  const w = await world(brokers);
  try {
    const ip = '203.0.113.66';
    await appendAll(w.log, Array.from({ length: 6 }, (_, i) => failure(ip, i)));
    await eventually(() => activeBlocks(w.views.blocks(), Date.now()).some((b) => b.cidr === ip), 30_000, 'the other instance enforces the automatic block');
    const block = activeBlocks(w.views.blocks(), Date.now()).find((b) => b.cidr === ip)!;
    assert.equal(block.source, 'auto');
    assert.ok(block.expires_ms! > Date.now() + 14 * 60_000 && block.expires_ms! <= Date.now() + 15 * 60_000);
    await eventually(() => w.security.some((e) => e.type === 'jarvis.security.ip_auto_blocked.v1'), 30_000, 'the audit stream has the block');
    const kinds = w.security.map((e) => e.type);
    assert.equal(kinds.filter((k) => k === 'jarvis.security.auth_failed.v1').length, 6);
    assert.equal(kinds.filter((k) => k === 'jarvis.security.brute_force_suspected.v1').length, 1);
    const suspicion = w.security.find((e) => e.type === 'jarvis.security.brute_force_suspected.v1')!;
    assert.deepEqual({ ip: (suspicion.data as { ip: string }).ip, trace: (suspicion.data as { trace_id: string }).trace_id, code: (suspicion.data as { code: string }).code }, { ip, trace: TRACE, code: 'JRV-AUTH-002' });
  } finally {
    await w.close();
  }
}

test('brute force from one IP is detected, audited and blocked on every instance (embedded log)', { timeout: 60_000 }, () => bruteForceIsBlockedEverywhere(null));

test('brute force from one IP is detected, audited and blocked on every instance (Kafka)', { timeout: 120_000, skip: kafkaBrokers ? false : 'KAFKA_BROKERS is not set' }, () => bruteForceIsBlockedEverywhere(kafkaBrokers));

test('housekeeping expires idle sessions everywhere and warns once of a key about to expire', { timeout: 60_000 }, async () => {
  const w = await world(null);
  try {
    const now = Date.now();
    const started = now - 5 * 60_000;
    await appendAll(w.log, [
      at(started, SessionStarted, {
        session_id: 'idle-one', principal: 'key-a', scope: ['chat'], jti: 'j1', ip: '198.51.100.2', started_at: new Date(started).toISOString(),
        idle_timeout_seconds: 60, absolute_expires_at: new Date(started + 86_400_000).toISOString(),
      }),
      at(now, ApiKeyCreated, {
        key_id: 'soon', name: 'ci', permissions: ['read'], secret_sha256: 'b'.repeat(64), created_at: new Date(now).toISOString(),
        expires_at: new Date(now + 86_400_000).toISOString(), created_by: 'admin', rotated_from: null,
      }),
    ]);
    const projected = () => w.projector.runner.state<SessionsState>('sessions').sessions.has('idle-one') && w.projector.runner.state<{ keys: Map<string, unknown> }>('security').keys.has('soon');
    await eventually(() => w.views.sessions().sessions.has('idle-one') && projected(), 20_000, 'both applied, by the views and by the projector');
    assert.equal(sessionStatus(w.views.sessions(), 'idle-one', now), 'expired', 'refused at once, even before cleanup');
    assert.equal(await w.projector.housekeeping(now), 2);
    assert.equal(await w.projector.housekeeping(now + 1000), 0, 'not published again while the first is on its way');
    await eventually(() => w.views.sessions().sessions.get('idle-one')?.status === 'expired', 20_000, 'the SessionExpired event reached the views');
    assert.equal(w.views.sessions().sessions.get('idle-one')?.end_reason, 'idle');
    await eventually(() => w.security.some((e) => e.type === 'jarvis.security.key_expiring.v1'), 20_000, 'the key warning is on the audit stream');
    assert.equal((w.security.find((e) => e.type === 'jarvis.security.key_expiring.v1')!.data as { principal: string }).principal, 'soon');
  } finally {
    await w.close();
  }
});

test('the projector reports applied events, lag and build progress as metrics', { timeout: 60_000 }, async () => {
  const dir = tempDir('projector-metrics');
  const config = loadConfig({ NODE_ENV: 'test', JARVIS_DATA_DIR: dir });
  const log = createEventLog(config);
  await log.start();
  const metrics = createMetrics({ processMetrics: false });
  try {
    await appendAll(log, Array.from({ length: 12 }, (_, i) => failure(`198.51.100.${i}`, i)));
    const projector = await startProjector(config, { log, housekeepingMs: 0, settleMs: 200, metrics });
    try {
      await projector.ready;
      await eventually(() => projector.stats().applied === 12, 10_000, 'all applied');
      const text = await metrics.registry.metrics();
      assert.match(text, /jarvis_projector_events_applied_total\{projection="projector"\} 12/);
      assert.match(text, /jarvis_projector_lag_events\{projection="projector"\} 0/);
      assert.match(text, /jarvis_projection_rebuild_progress_ratio\{projection="projector"\} 1/);
    } finally {
      await projector.stop();
    }
  } finally {
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
