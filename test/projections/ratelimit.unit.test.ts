/** Rate-limit counters: sliding windows per tier × scope, per instance, from finished requests. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthDecisionRecorded, RequestCompleted } from '../../events/index.ts';
import { authFailuresInWindow, countInWindow, rateCountersProjection } from '../../src/projections/ratelimit/index.ts';
import { at, given } from '../support/projections-given.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const MIN = 60_000;
const counters = rateCountersProjection({ maxWindowMs: MIN });

function request(t: number, o: { ip?: string; principal?: string | null; tier?: 'api' | 'stream' | null; status?: number; instance?: string } = {}) {
  return at(t, RequestCompleted, {
    method: 'POST', route: '/chat', status: o.status ?? 200, duration_ms: 12, bytes_in: 10, bytes_out: 100, ip: o.ip ?? '203.0.113.7',
    principal: o.principal === undefined ? 'key-a' : o.principal, tier: o.tier === undefined ? 'api' : o.tier, error_code: null, request_id: 'r', instance: o.instance ?? 'i1',
  });
}

function authFailure(t: number, ip = '203.0.113.7', source = 'i1') {
  return at(t, AuthDecisionRecorded, {
    stage: 'authentication', outcome: 'denied', reason: 'unknown_key', method: 'api_key', principal: null, session_id: null, permission: null, ip, route: '/chat', request_id: 'r',
  }, { source });
}

test('requests count per IP and per principal in their tier, within the window', () => {
  const events = [request(T0), request(T0 + 10_000), request(T0 + 20_000, { tier: 'stream' }), request(T0 + 30_000, { principal: 'key-b' })];
  given(counters, events).then((s) => {
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0 + 30_000, MIN), 3);
    assert.equal(countInWindow(s, 'api', 'principal', 'key-a', T0 + 30_000, MIN), 2);
    assert.equal(countInWindow(s, 'stream', 'principal', 'key-a', T0 + 30_000, MIN), 1);
    assert.equal(countInWindow(s, 'api', 'principal', 'key-b', T0 + 30_000, MIN), 1);
  });
});

test('the window slides: a request leaves it a window (plus at most one bucket) later', () => {
  given(counters, [request(T0), request(T0 + 30_000)]).then((s) => {
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0 + 60_500, MIN), 2, 'the bucket of T0 still overlaps the window');
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0 + 61_000, MIN), 1);
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0 + 91_000, MIN), 0);
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0 + 30_000, 10_000), 1, 'a shorter window');
  });
});

test('requests the limiter refused (429) and routes without a tier do not count', () => {
  given(counters, [request(T0, { status: 429 }), request(T0, { tier: null }), request(T0, { status: 500 })]).then((s) => {
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0, MIN), 1);
  });
});

test('an anonymous request counts for its IP only', () => {
  given(counters, [request(T0, { principal: null, status: 401 })]).then((s) => {
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0, MIN), 1);
    assert.equal(s.series.size, 1);
  });
});

test('an instance can leave out its own counts, which it keeps exactly itself', () => {
  given(counters, [request(T0, { instance: 'A' }), request(T0, { instance: 'A' }), request(T0, { instance: 'B' })]).then((s) => {
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0, MIN), 3);
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0, MIN, 'A'), 1);
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0, MIN, 'B'), 2);
  });
});

test('failed authentications are counted per client IP apart from requests, so the limiter never counts one twice', () => {
  const events = [authFailure(T0), request(T0, { principal: null, status: 401 }), authFailure(T0 + 1000, '198.51.100.1', 'i2')];
  given(counters, events).then((s) => {
    assert.equal(authFailuresInWindow(s, '203.0.113.7', T0 + 1000, MIN), 1);
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0 + 1000, MIN), 1, 'the 401 itself counts once, as a request');
    assert.equal(authFailuresInWindow(s, '198.51.100.1', T0 + 1000, MIN, 'i2'), 0);
  });
});

test('failed authentications are kept per deciding instance, and older events without one fall back to their source', () => {
  const decided = (t: number, instance: string, source: string) => at(t, AuthDecisionRecorded, {
    stage: 'authentication', outcome: 'denied', reason: 'unknown_key', method: 'api_key', principal: null, session_id: null, permission: null, ip: '203.0.113.7', route: '/chat', request_id: 'r', instance,
  }, { source });
  // Two workers of one instance share a source; the data names which one decided.
  const events = [decided(T0, 'host-1/w1', '/jarvis/host-1'), decided(T0, 'host-1/w2', '/jarvis/host-1'), authFailure(T0, '203.0.113.7', '/jarvis/host-2')];
  given(counters, events).then((s) => {
    assert.equal(authFailuresInWindow(s, '203.0.113.7', T0, MIN), 3);
    assert.equal(authFailuresInWindow(s, '203.0.113.7', T0, MIN, 'host-1/w1'), 2);
    assert.equal(authFailuresInWindow(s, '203.0.113.7', T0, MIN, (i) => i.startsWith('host-1/')), 1);
    assert.equal(authFailuresInWindow(s, '203.0.113.7', T0, MIN, '/jarvis/host-2'), 2);
  });
});

test('old buckets are pruned beyond the largest window, and the snapshot leaves them out', () => {
  const s = given(counters, [request(T0, { ip: '192.0.2.1' }), request(T0 + 5 * MIN, { ip: '192.0.2.2' })]).state;
  const json = counters.toJSON!(s) as { series: [string, unknown][] };
  assert.deepEqual(json.series.map(([k]) => k.split('\x01')[2]), ['192.0.2.2', 'key-a']);
});

test('late events from a slower partition give the same counts as in-order ones', () => {
  const a = [request(T0, { ip: '192.0.2.1' }), request(T0 + 2000, { ip: '192.0.2.2' }), request(T0 + 1000, { ip: '192.0.2.1' })];
  const b = [a[1]!, a[2]!, a[0]!];
  assert.deepEqual(counters.toJSON!(given(counters, a).state), counters.toJSON!(given(counters, b).state));
});

test('a snapshot taken with another bucket width reads back into today\'s buckets', () => {
  const coarse = rateCountersProjection({ maxWindowMs: MIN, bucketMs: 500 });
  const s = given(coarse, [request(T0), request(T0 + 600), request(T0 + 1200)]).state;
  const back = counters.fromJSON!(JSON.parse(JSON.stringify(coarse.toJSON!(s))));
  assert.equal(countInWindow(back, 'api', 'ip', '203.0.113.7', T0 + 1200, MIN), 3);
  assert.equal(back.bucketMs, 1000);
});

test('views of an instance that counts its own requests leave them out, and its workers\' too; the others count', () => {
  const own = (i: string) => i === 'api-1' || i.startsWith('api-1-w');
  const views = rateCountersProjection({ maxWindowMs: MIN, countedElsewhere: own });
  const mine = request(T0, { instance: 'api-1' });
  const sibling = request(T0, { instance: 'api-1-w2' });
  const other = request(T0, { instance: 'api-2' });
  assert.equal(views.accepts!(mine), false, 'the runner skips it: nothing to apply, nothing to journal');
  assert.equal(views.accepts!(sibling), false);
  assert.equal(views.accepts!(other), true);
  given(views, [mine, sibling, other, request(T0 + 1000, { instance: 'api-2' })]).then((s) => {
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0 + 2000, MIN), 2, 'only api-2\'s requests');
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0 + 2000, MIN, own), 2, 'what the limiter asks for is the same');
  });
  given(counters, [mine, sibling, other]).then((s) => {
    assert.equal(countInWindow(s, 'api', 'ip', '203.0.113.7', T0 + 2000, MIN, own), 1, 'a projection that counts everyone answers the limiter alike');
  });
});
