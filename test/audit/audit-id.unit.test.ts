import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthDecisionRecorded, InputRejected, RateLimitExceeded, type Envelope } from '../../events/index.ts';
import { auditIdFor, auditIdOf } from '../../src/audit/audit-id.ts';
import { envelopeFactory } from '../../src/eventlog/envelope.ts';
import { securityDerivation } from '../../src/projections/security/index.ts';
import { applied } from '../support/audit-records.ts';

let n = 0;
const factory = envelopeFactory('/test', { now: () => Date.UTC(2026, 4, 1) }, { uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, short: () => String(n) });
const base = { ip: '203.0.113.5', request_id: 'req-1' };
const route = '/chat';

test('the Audit-Id computed from the causing event id is the id of the record derived from it', () => {
  for (const kind of ['jarvis.security.auth_failed.v1', 'jarvis.security.permission_denied.v1', 'jarvis.security.rate_limit_exceeded.v1'] as const) {
    const cause = `raw-event-${kind}`;
    const derived = applied({ kind, cause, timeMs: Date.UTC(2026, 4, 1) }).envelope;
    assert.equal(auditIdFor(cause, kind), derived.id);
    assert.equal((derived.data as { caused_by: string }).caused_by, cause);
  }
  assert.notEqual(auditIdFor('a', 'jarvis.security.auth_failed.v1'), auditIdFor('a', 'jarvis.security.brute_force_suspected.v1'));
});

test('auditIdOf a published refusal equals the id the projector derivation gives its record; granted requests have none', () => {
  const projector = securityDerivation({ bruteForceThreshold: 3, bruteForceWindowMs: 60_000, bruteForceBlockMs: 60_000, keyExpiryWarningMs: 86_400_000 });
  let state = projector.initialState();
  const raws: [Envelope, boolean][] = [
    [factory.create(AuthDecisionRecorded, { ...base, route, stage: 'authentication', outcome: 'denied', reason: 'unknown_key', method: 'api_key', principal: null, session_id: null, permission: null }, { key: base.ip }), true],
    [factory.create(AuthDecisionRecorded, { ...base, route, stage: 'authorization', outcome: 'denied', reason: 'permission_denied', method: 'api_key', principal: 'key_1', session_id: null, permission: 'admin' }, { key: base.ip }), true],
    [factory.create(AuthDecisionRecorded, { ...base, route, stage: 'authentication', outcome: 'granted', reason: 'ok', method: 'api_key', principal: 'key_1', session_id: null, permission: null }, { key: base.ip }), false],
    [factory.create(RateLimitExceeded, { ...base, tier: 'api', scope: 'ip', principal: null, limit: 60, window_seconds: 60, retry_after_seconds: 3 }, { key: base.ip }), true],
    [factory.create(InputRejected, { ...base, route, reason: 'validation_failed', status: 400, principal: 'key_1', detail: null }, { key: base.ip }), true],
  ];
  for (const [raw, refused] of raws) {
    const r = projector.derive(state, raw);
    state = r.state;
    const expected = r.emitted.find((e) => e.topic === 'jarvis.security')?.envelope.id ?? null;
    assert.equal(auditIdOf(raw), expected, raw.type);
    assert.equal(expected !== null, refused, raw.type);
  }
});
