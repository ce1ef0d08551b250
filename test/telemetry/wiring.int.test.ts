/**
 * Metrics derived from published events, on the real embedded event log and publisher:
 * what an operator sees on the dashboards after the app publishes its usual events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuthDecisionRecorded, RateLimitExceeded, SecurityEvents, TtsFirstAudio, TtsJobCompleted, TtsJobFailed } from '../../events/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createEventLog, createPublisher } from '../../src/eventlog/factory.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { randomIds } from '../../src/shared/ids.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { instrumentPublisher, trackLiveState, trackProjector, trackTtsQueue } from '../../src/telemetry/wiring.ts';

const job = { job_id: 'j1', request_id: 'r1', principal: 'env-1', engine: 'embedded', voice: 'en-us' };

test('published events become auth, rate-limit, speech, security and publish-latency metrics', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'jarvis-wiring-'));
  const config = loadConfig({ NODE_ENV: 'test', JARVIS_DATA_DIR: dir });
  const log = createEventLog(config, { clock: systemClock });
  await log.start();
  const m = createMetrics({ exemplars: false, processMetrics: false });
  const publisher = instrumentPublisher(createPublisher(config, log, systemClock, randomIds), m, { log: 'embedded', pollMs: 5 });
  try {
    const meta = { key: '203.0.113.7' };
    const decision = { stage: 'authentication', method: 'api_key', principal: null, session_id: null, permission: null, ip: '203.0.113.7', route: '/chat', request_id: 'r1' } as const;
    publisher.publish(AuthDecisionRecorded, { ...decision, outcome: 'denied', reason: 'unknown_key' }, meta);
    publisher.publish(AuthDecisionRecorded, { ...decision, outcome: 'denied', reason: 'unknown_key' }, meta);
    publisher.publish(AuthDecisionRecorded, { ...decision, method: 'jwt', outcome: 'granted', reason: 'ok', principal: 'env-1' }, meta);
    publisher.publish(RateLimitExceeded, { tier: 'stream', scope: 'principal', ip: '203.0.113.7', principal: 'env-1', limit: 30, window_seconds: 60, retry_after_seconds: 12, request_id: 'r2' }, meta);
    publisher.publish(TtsFirstAudio, { ...job, time_to_first_byte_ms: 120 }, { key: 'j1' });
    publisher.publish(TtsJobCompleted, { ...job, characters: 63, audio_seconds: 4, synthesis_seconds: 0.5, time_to_first_byte_ms: 120, bytes: 128000 }, { key: 'j1' });
    publisher.publish(TtsJobFailed, { ...job, job_id: 'j2', error_code: 'ERR_TTS_ENGINE', synthesis_seconds: 0.1 }, { key: 'j2' });
    const sec = { code: 'JRV-AUTH-002', severity: 'high', ip: '203.0.113.7', principal: null, request_id: null, trace_id: null, outcome: 'detected', reason: 'brute force', caused_by: 'e1' } as const;
    publisher.publish(SecurityEvents['jarvis.security.brute_force_suspected.v1'], sec, meta);
    await publisher.drain(10_000);
    await new Promise((r) => setTimeout(r, 50));

    const text = await m.registry.metrics();
    assert.match(text, /jarvis_auth_decisions_total\{stage="authentication",result="denied",reason="unknown_key",credential="api_key"\} 2/);
    assert.match(text, /jarvis_auth_decisions_total\{stage="authentication",result="granted",reason="ok",credential="jwt"\} 1/);
    assert.match(text, /jarvis_rate_limit_rejections_total\{tier="stream",scope="principal"\} 1/);
    assert.match(text, /jarvis_tts_jobs_total\{engine="embedded",outcome="completed"\} 1/);
    assert.match(text, /jarvis_tts_jobs_total\{engine="embedded",outcome="failed"\} 1/);
    assert.match(text, /jarvis_tts_audio_seconds_total\{engine="embedded"\} 4/);
    assert.match(text, /jarvis_tts_time_to_first_byte_seconds_sum\{engine="embedded"\} 0.12/);
    assert.match(text, /jarvis_security_events_total\{type="brute_force_suspected",severity="high"\} 1/);
    // every event's publish → delivered latency, per topic
    assert.match(text, /jarvis_eventlog_publish_duration_seconds_count\{log="embedded",topic="jarvis.auth"\} 3/);
    assert.match(text, /jarvis_eventlog_publish_duration_seconds_count\{log="embedded",topic="jarvis.tts"\} 3/);
    assert.match(text, /jarvis_eventlog_outbox_depth 0/);
    assert.match(text, /jarvis_eventlog_outbox_capacity 1000000/);
    // nothing personal in labels
    assert.doesNotMatch(text, /203\.0\.113\.7|env-1/);
  } finally {
    await publisher.close();
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('live-state and speech-queue gauges are sampled at scrape time', async () => {
  const m = createMetrics({ exemplars: false, processMetrics: false });
  let lag = 5;
  trackLiveState(m, { lagEvents: () => lag, caughtUp: () => lag === 0 });
  trackTtsQueue(m, () => ({ active: 2, waiting: 7, max: 32 }));
  let text = await m.registry.metrics();
  assert.match(text, /jarvis_projector_lag_events\{projection="live"\} 5/);
  assert.match(text, /jarvis_projection_rebuild_progress_ratio\{projection="live"\} 0/);
  assert.match(text, /jarvis_tts_queue_depth 7/);
  assert.match(text, /jarvis_tts_queue_capacity 32/);
  assert.match(text, /jarvis_tts_active_jobs 2/);
  lag = 0;
  text = await m.registry.metrics();
  assert.match(text, /jarvis_projector_lag_events\{projection="live"\} 0/);
  assert.match(text, /jarvis_projection_rebuild_progress_ratio\{projection="live"\} 1/);
});

test('projector lag, applied events and readiness follow the projector at each scrape', async () => {
  const m = createMetrics({ exemplars: false, processMetrics: false });
  const state = { events: 12, seconds: 4.5, applied: 100, ready: false };
  trackProjector(m, { lag: () => ({ events: state.events, seconds: state.seconds }), stats: () => ({ applied: state.applied }), isReady: () => state.ready });
  let text = await m.registry.metrics();
  assert.match(text, /jarvis_projector_lag_events\{projection="projector"\} 12/);
  assert.match(text, /jarvis_projector_lag_seconds\{projection="projector"\} 4.5/);
  assert.match(text, /jarvis_projection_rebuild_progress_ratio\{projection="projector"\} 0/);
  Object.assign(state, { events: 0, seconds: 0, applied: 130, ready: true });
  await m.registry.metrics();
  text = await m.registry.metrics();
  assert.match(text, /jarvis_projector_events_applied_total\{projection="projector"\} 30/);
  assert.match(text, /jarvis_projector_lag_seconds\{projection="projector"\} 0/);
  assert.match(text, /jarvis_projection_rebuild_progress_ratio\{projection="projector"\} 1/);
});

test('a backlog beyond the timing window is counted through without growing memory', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'jarvis-wiring-'));
  const config = loadConfig({ NODE_ENV: 'test', JARVIS_DATA_DIR: dir });
  const log = createEventLog(config, { clock: systemClock });
  await log.start();
  const m = createMetrics({ exemplars: false, processMetrics: false });
  const publisher = instrumentPublisher(createPublisher(config, log, systemClock, randomIds), m, { log: 'embedded', pollMs: 5 });
  try {
    // published in one tick: nothing is delivered before the last one is staged
    for (let i = 0; i < 10_050; i++) publisher.publish(RateLimitExceeded, { tier: 'api', scope: 'ip', ip: '198.51.100.1', principal: null, limit: 60, window_seconds: 60, retry_after_seconds: 1, request_id: `r${i}` }, { key: '198.51.100.1' });
    await publisher.drain(30_000);
    await new Promise((r) => setTimeout(r, 50));
    const text = await m.registry.metrics();
    assert.match(text, /jarvis_eventlog_publish_duration_seconds_count\{log="embedded",topic="jarvis.http"\} 10000/);
    assert.match(text, /jarvis_rate_limit_rejections_total\{tier="api",scope="ip"\} 10050/);
    // later publishes are timed again once the backlog is through
    publisher.publish(RateLimitExceeded, { tier: 'api', scope: 'ip', ip: '198.51.100.1', principal: null, limit: 60, window_seconds: 60, retry_after_seconds: 1, request_id: 'late' }, { key: '198.51.100.1' });
    await publisher.drain(10_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.match(await m.registry.metrics(), /jarvis_eventlog_publish_duration_seconds_count\{log="embedded",topic="jarvis.http"\} 10001/);
  } finally {
    await publisher.close();
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
