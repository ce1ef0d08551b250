/**
 * A projection's `accepts` lets the runner skip (neither apply nor journal) the events that
 * cannot change it — most of a busy log. That is only sound when an event it refuses really
 * changes nothing: these checks fold the refused events into a state built from real traffic and
 * compare the canonical state (and, for the derivation, what it emits) before and after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthDecisionRecorded, IpBlockAdded, RateLimitExceeded, RequestCompleted, SessionRefreshed, type Envelope } from '../../events/index.ts';
import { rateCountersProjection } from '../../src/projections/ratelimit/index.ts';
import { securityDerivation } from '../../src/projections/security/index.ts';
import type { Projection } from '../../src/projections/types.ts';
import { at, canonical } from '../support/projections-given.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const auth = (t: number, outcome: 'granted' | 'denied', stage: 'authentication' | 'authorization' = 'authentication') =>
  at(t, AuthDecisionRecorded, {
    stage, outcome, reason: outcome === 'granted' ? 'ok' : stage === 'authentication' ? 'unknown_key' : 'permission_denied', method: 'api_key',
    principal: outcome === 'granted' || stage === 'authorization' ? 'key-a' : null, session_id: null, permission: stage === 'authorization' ? 'admin' : null, ip: '203.0.113.7', route: '/status', request_id: `req-${t}`,
  });
const request = (t: number, status: number, tier: 'api' | 'stream' | null = 'api') =>
  at(t, RequestCompleted, { method: 'GET', route: '/status', status, duration_ms: 1, bytes_in: 0, bytes_out: 10, ip: '203.0.113.7', principal: 'key-a', tier, error_code: null, request_id: `req-${t}`, instance: 'i-1' });
const limited = (t: number) =>
  at(t, RateLimitExceeded, { tier: 'api', scope: 'ip', ip: '203.0.113.7', principal: null, limit: 60, window_seconds: 60, retry_after_seconds: 3, request_id: `req-${t}` });
const autoBlock = (t: number) =>
  at(t, IpBlockAdded, { block_id: `blk-${t}`, cidr: '198.51.100.9/32', expires_at: new Date(t + 60_000).toISOString(), reason: 'brute force', source: 'auto', created_by: null, created_at: new Date(t).toISOString() });
const refreshed = (t: number) => at(t, SessionRefreshed, { session_id: 'ses-1', at: new Date(t).toISOString() });

/** Builds a state from `traffic`, then checks every event `p` refuses leaves it as it was. */
function refusedChangeNothing<S>(p: Projection<S>, traffic: Envelope[], candidates: Envelope[], step: (s: S, e: Envelope) => { state: S; emitted: number }): number {
  let state = p.initialState();
  for (const e of traffic) if (!p.accepts || p.accepts(e)) state = step(state, e).state;
  let refused = 0;
  for (const e of candidates) {
    if (p.accepts!(e)) continue;
    refused++;
    const before = JSON.stringify(canonical(p, state));
    const r = step(state, e);
    assert.equal(JSON.stringify(canonical(p, r.state)), before, `${e.type} changed ${p.name}`);
    assert.equal(r.emitted, 0, `${e.type} made ${p.name} emit`);
    state = r.state;
  }
  return refused;
}

test('the rate counters refuse exactly what they do not count, and refusing it changes nothing', () => {
  const p = rateCountersProjection({ maxWindowMs: 60_000 });
  assert.equal(p.accepts!(request(T0, 200)), true);
  assert.equal(p.accepts!(auth(T0, 'denied')), true);
  assert.equal(p.accepts!(request(T0, 429)), false, "the limiter's own refusals do not count");
  assert.equal(p.accepts!(request(T0, 200, null)), false, 'unlimited routes do not count');
  assert.equal(p.accepts!(auth(T0, 'granted')), false);
  assert.equal(p.accepts!(auth(T0, 'denied', 'authorization')), false, 'only failed authentications count');
  const traffic = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? auth(T0 + i * 1000, 'denied') : request(T0 + i * 1000, 200)));
  const candidates = [request(T0 + 70_000, 429), request(T0 + 70_000, 200, null), auth(T0 + 70_000, 'granted'), auth(T0 + 70_000, 'denied', 'authorization'), limited(T0 + 70_000)];
  const refused = refusedChangeNothing(p, traffic, candidates, (s, e) => ({ state: p.evolve(s, e), emitted: 0 }));
  assert.equal(refused, 5);
});

test('the security derivation refuses granted requests and automatic blocks, and refusing them changes nothing', () => {
  const d = securityDerivation({ bruteForceThreshold: 3, bruteForceWindowMs: 300_000, bruteForceBlockMs: 900_000, keyExpiryWarningMs: 86_400_000 });
  assert.equal(d.accepts!(auth(T0, 'denied')), true);
  assert.equal(d.accepts!(auth(T0, 'denied', 'authorization')), true);
  assert.equal(d.accepts!(limited(T0)), true);
  const traffic = [auth(T0, 'denied'), auth(T0 + 1000, 'denied'), limited(T0 + 2000), auth(T0 + 3000, 'denied', 'authorization')];
  const candidates = [auth(T0 + 10_000, 'granted'), request(T0 + 10_000, 200), request(T0 + 10_000, 401), autoBlock(T0 + 10_000), refreshed(T0 + 10_000)];
  const refused = refusedChangeNothing(d, traffic, candidates, (s, e) => {
    const r = d.derive(s, e);
    return { state: r.state, emitted: r.emitted.length };
  });
  assert.equal(refused, 5);
});
