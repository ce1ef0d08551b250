import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { createLogger, requestLogger, securityEvent, type SecurityEventRecord } from '../../src/telemetry/logger.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import { installTestContextManager } from '../support/telemetry-context.ts';

/** A logger writing synchronously into an array of parsed lines. */
function capture(level = 'info'): { lines: Array<Record<string, unknown>>; raw: string[]; logger: ReturnType<typeof createLogger> } {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger({ level, destination, clock: fixedClock(Date.UTC(2026, 0, 2, 3, 4, 5)), base: { instance: 'test-1' } });
  return { raw, logger, get lines() { return raw.map((l) => JSON.parse(l) as Record<string, unknown>); } };
}

const SECRET = 'jrv_live_0123456789abcdefSECRET';

test('lines are JSON with an ISO time, level name, service and instance', () => {
  const c = capture();
  c.logger.info({ route: '/chat' }, 'hello');
  const [line] = c.lines;
  assert.equal(line?.msg, 'hello');
  assert.equal(line?.level, 'info');
  assert.equal(line?.time, '2026-01-02T03:04:05.000Z');
  assert.equal(line?.service, 'jarvis-api');
  assert.equal(line?.instance, 'test-1');
});

test('credential fields are censored wherever they usually appear', () => {
  const c = capture();
  const bad: Array<Record<string, unknown>> = [
    { authorization: `Bearer ${SECRET}` },
    { headers: { authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}`, 'x-api-key': SECRET } },
    { req: { headers: { Authorization: `Bearer ${SECRET}` } } },
    { key: SECRET },
    { created: { key: SECRET, id: 'k1' } },
    { token: SECRET },
    { body: { access_token: SECRET } },
    { config: { jwtSecret: SECRET } },
    { password: SECRET },
  ];
  for (const obj of bad) c.logger.info(obj, 'request');
  assert.equal(c.raw.length, bad.length);
  for (const line of c.raw) {
    assert.ok(!line.includes(SECRET), `secret leaked: ${line}`);
    assert.ok(line.includes('[REDACTED]'), `censored: ${line}`);
  }
  assert.equal((c.lines[4]?.created as Record<string, unknown>).id, 'k1');
});

test('errors are logged by name, code and message, without a stack', () => {
  const c = capture();
  const err = Object.assign(new Error('outbox full'), { code: 'ERR_EVENT_LOG_UNAVAILABLE' });
  c.logger.error({ err }, 'publish failed');
  const line = c.lines[0] as { err: Record<string, unknown> };
  assert.deepEqual(line.err, { name: 'Error', message: 'outbox full', code: 'ERR_EVENT_LOG_UNAVAILABLE' });
  assert.ok(!c.raw[0]?.includes('at '), 'no stack frames');
});

test('a request logger adds the request id, and the active span adds trace and span ids', () => {
  const uninstall = installTestContextManager();
  try {
    const c = capture();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const spanId = '00f067aa0ba902b7';
    const ctx = trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
    context.with(ctx, () => requestLogger(c.logger, 'req-42').info('inside'));
    c.logger.info('outside');
    // A security record's own trace id wins over the active span's (the projector's span).
    context.with(ctx, () => securityEvent(c.logger, record('low')));
    assert.ok(!c.raw[2]?.includes(`"trace_id":"${traceId}"`), c.raw[2]);
    assert.equal(c.lines[2]?.trace_id, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    assert.equal(c.lines[0]?.request_id, 'req-42');
    assert.equal(c.lines[0]?.trace_id, traceId);
    assert.equal(c.lines[0]?.span_id, spanId);
    assert.equal(c.lines[1]?.trace_id, undefined);
  } finally {
    uninstall();
  }
});

function record(severity: 'low' | 'high', overrides: Partial<SecurityEventRecord['data']> = {}): SecurityEventRecord {
  return {
    id: 'evt-1',
    type: severity === 'high' ? 'jarvis.security.brute_force_suspected.v1' : 'jarvis.security.auth_failed.v1',
    time: '2026-01-02T03:04:05.000Z',
    source: 'jarvis-api/test-1',
    subject: '203.0.113.9',
    data: {
      code: severity === 'high' ? 'JRV-AUTH-002' : 'JRV-AUTH-001',
      severity,
      ip: '203.0.113.9',
      principal: null,
      request_id: 'req-7',
      trace_id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      outcome: 'denied',
      reason: 'unknown_key',
      caused_by: 'raw-1',
      ...overrides,
    },
  };
}

test('a security event is one line starting with SECURITY_EVENT, greppable, with the record and its ids', () => {
  const c = capture();
  securityEvent(c.logger, record('low'));
  securityEvent(c.logger, record('high'));
  c.logger.info('an ordinary line');
  const grepped = c.raw.filter((l) => l.includes('SECURITY_EVENT'));
  assert.equal(grepped.length, 2);
  const [low, high] = grepped.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(low?.msg, 'SECURITY_EVENT JRV-AUTH-001 auth_failed denied');
  assert.equal(low?.level, 'info');
  assert.equal(high?.level, 'warn');
  assert.equal(low?.marker, 'SECURITY_EVENT');
  assert.equal(low?.trace_id, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
  assert.equal(low?.request_id, 'req-7');
  assert.equal((low?.security_event as { id: string }).id, 'evt-1');
});

test('security events are written even when the configured level is warn, and not when silent', () => {
  const quiet = capture('warn');
  securityEvent(quiet.logger, record('low'));
  quiet.logger.info('filtered');
  assert.equal(quiet.raw.length, 1);
  assert.match(quiet.raw[0] ?? '', /SECURITY_EVENT JRV-AUTH-001/);

  const silent = capture('silent');
  securityEvent(silent.logger, record('high'));
  assert.equal(silent.raw.length, 0);
});
