/** Sessions: started, refreshed, revoked, expired; idle and absolute timeouts judged at a frozen time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionExpired, SessionRefreshed, SessionRevoked, SessionStarted } from '../../events/index.ts';
import { findExpired, isActive, listSessions, sessionStatus, sessionsProjection } from '../../src/projections/sessions/index.ts';
import { at, given } from '../support/projections-given.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const MIN = 60_000;

function started(id: string, t = T0, idleMin = 30, absoluteMin = 24 * 60, principal = 'key-a') {
  return at(t, SessionStarted, {
    session_id: id, principal, scope: ['read', 'chat'], jti: `jti-${id}`, ip: '203.0.113.7',
    started_at: new Date(t).toISOString(), idle_timeout_seconds: idleMin * 60, absolute_expires_at: new Date(t + absoluteMin * MIN).toISOString(),
  });
}

test('a started session is active until its idle timeout, measured from its start', () => {
  given(sessionsProjection, [started('s1')]).then((s) => {
    assert.equal(isActive(s, 's1', T0 + 29 * MIN), true);
    assert.equal(isActive(s, 's1', T0 + 30 * MIN), false);
    assert.equal(sessionStatus(s, 's1', T0 + 30 * MIN), 'expired');
  });
});

test('a refresh restarts the idle timer but never extends the absolute timeout', () => {
  const events = [started('s1', T0, 30, 60), at(T0 + 20 * MIN, SessionRefreshed, { session_id: 's1', at: new Date(T0 + 20 * MIN).toISOString() })];
  given(sessionsProjection, events).then((s) => {
    assert.equal(isActive(s, 's1', T0 + 45 * MIN), true);
    assert.equal(isActive(s, 's1', T0 + 50 * MIN), false);
  });
  const keptAlive = [started('s2', T0, 30, 60), ...[20, 40, 55].map((m) => at(T0 + m * MIN, SessionRefreshed, { session_id: 's2', at: new Date(T0 + m * MIN).toISOString() }))];
  given(sessionsProjection, keptAlive).then((s) => {
    assert.equal(isActive(s, 's2', T0 + 59 * MIN), true);
    assert.equal(isActive(s, 's2', T0 + 60 * MIN), false, 'absolute timeout');
  });
});

test('an older refresh arriving late does not move the idle timer back', () => {
  const events = [started('s1'), at(T0 + 20 * MIN, SessionRefreshed, { session_id: 's1', at: new Date(T0 + 20 * MIN).toISOString() }), at(T0 + 21 * MIN, SessionRefreshed, { session_id: 's1', at: new Date(T0 + 5 * MIN).toISOString() })];
  given(sessionsProjection, events).then((s) => assert.equal(isActive(s, 's1', T0 + 45 * MIN), true));
});

test('a revoked session is refused at once and stays revoked, whatever comes after', () => {
  const events = [
    started('s1'),
    at(T0 + MIN, SessionRevoked, { session_id: 's1', principal: 'key-a', by: null, reason: 'logout' }),
    at(T0 + 2 * MIN, SessionRefreshed, { session_id: 's1', at: new Date(T0 + 2 * MIN).toISOString() }),
    at(T0 + 3 * MIN, SessionExpired, { session_id: 's1', principal: 'key-a', timeout: 'idle' }),
  ];
  given(sessionsProjection, events).then((s) => {
    assert.equal(sessionStatus(s, 's1', T0 + 4 * MIN), 'revoked');
    assert.equal(s.sessions.get('s1')?.end_reason, 'logout');
  });
});

test('a revocation of a session this instance never saw is remembered', () => {
  given(sessionsProjection, [at(T0, SessionRevoked, { session_id: 'ghost', principal: 'key-a', by: 'admin', reason: 'admin' })]).then((s) => {
    assert.equal(sessionStatus(s, 'ghost', T0 + 60 * MIN), 'revoked');
  });
});

test('findExpired names the sessions past a timeout at a frozen time, and SessionExpired ends them', () => {
  const events = [started('idle', T0, 30), started('abs', T0, 600, 45), started('fresh', T0 + 40 * MIN, 30)];
  const s = given(sessionsProjection, events).state;
  assert.deepEqual(findExpired(s, T0 + 50 * MIN), [
    { session_id: 'abs', principal: 'key-a', timeout: 'absolute' },
    { session_id: 'idle', principal: 'key-a', timeout: 'idle' },
  ]);
  const after = given(sessionsProjection, [...events, ...findExpired(s, T0 + 50 * MIN).map((x) => at(T0 + 50 * MIN, SessionExpired, x))]).state;
  assert.deepEqual(findExpired(after, T0 + 50 * MIN), []);
  assert.equal(sessionStatus(after, 'abs', T0 + 50 * MIN), 'expired');
  assert.equal(after.sessions.get('idle')?.end_reason, 'idle');
});

test('listing shows newest first, filters by principal and by activity', () => {
  const events = [started('a', T0, 30, 1440, 'key-a'), started('b', T0 + MIN, 30, 1440, 'key-b'), started('c', T0 + 2 * MIN, 30, 1440, 'key-a'), at(T0 + 3 * MIN, SessionRevoked, { session_id: 'c', principal: 'key-a', by: null, reason: 'logout' })];
  given(sessionsProjection, events).then((s) => {
    assert.deepEqual(listSessions(s).map((r) => r.session_id), ['c', 'b', 'a']);
    assert.deepEqual(listSessions(s, { principal: 'key-a' }).map((r) => r.session_id), ['c', 'a']);
    assert.deepEqual(listSessions(s, { activeAt: T0 + 4 * MIN }).map((r) => r.session_id), ['b', 'a']);
  });
});

test('ended sessions are forgotten an hour after their absolute expiry, active ones are not', () => {
  const events = [started('old', T0, 30, 60), at(T0 + MIN, SessionRevoked, { session_id: 'old', principal: 'key-a', by: null, reason: 'logout' }), started('live', T0, 30, 600)];
  const later = started('later', T0 + 3 * 60 * MIN);
  given(sessionsProjection, [...events, later]).then((s) => {
    assert.equal(s.sessions.has('old'), false);
    assert.equal(s.sessions.has('live'), true);
  });
});

test('other event types leave the state untouched', () => {
  const s = sessionsProjection.initialState();
  assert.equal(sessionsProjection.evolve(s, { ...started('x'), type: 'jarvis.chat.chat_requested.v1' } as never), s);
  assert.equal(s.sessions.size, 0);
});
