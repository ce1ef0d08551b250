/** The security derivation: raw events → SECURITY_EVENT records, brute force → automatic block, deterministic ids. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  ApiKeyCreated, ApiKeyRevoked, ApiKeyRotated, AuthDecisionRecorded, InputRejected, IpBlockAdded, IpBlockRemoved, RateLimitDegraded, RateLimitExceeded, SessionRevoked,
  type Envelope, type SecurityEventData,
} from '../../events/index.ts';
import { decodeEnvelope } from '../../src/eventlog/envelope.ts';
import { chainHash, GENESIS, recordOf } from '../../src/projections/security/chain.ts';
import { securityDerivation } from '../../src/projections/security/index.ts';
import { at, derived, given } from '../support/projections-given.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const MIN = 60_000;
const DAY = 86_400_000;
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const security = securityDerivation({ bruteForceThreshold: 3, bruteForceWindowMs: 5 * MIN, bruteForceBlockMs: 15 * MIN, keyExpiryWarningMs: 7 * DAY, source: '/jarvis/projector' });

function denied(t: number, ip = '203.0.113.7', stage: 'authentication' | 'authorization' = 'authentication', reason: 'unknown_key' | 'missing_credential' | 'expired_token' = 'unknown_key') {
  return at(t, AuthDecisionRecorded, {
    stage, outcome: 'denied', reason: stage === 'authentication' ? reason : 'permission_denied', method: 'api_key',
    principal: stage === 'authentication' ? null : 'key-a', session_id: null, permission: stage === 'authentication' ? null : 'admin', ip, route: '/chat', request_id: `req-${t}`,
  }, { traceparent: `00-${TRACE}-b7ad6b7169203331-01` });
}

const types = (emitted: readonly { envelope: Envelope }[]) => emitted.map((e) => e.envelope.type);

test('every derived event is a valid catalog event with its code, severity, trace id and cause', () => {
  const cause = denied(T0);
  const { emitted } = derived(security, [cause]);
  assert.deepEqual(types(emitted), ['jarvis.security.auth_failed.v1']);
  const record = decodeEnvelope(JSON.stringify(emitted[0]!.envelope));
  const { chain, ...data } = record.data as SecurityEventData;
  assert.deepEqual(data, {
    code: 'JRV-AUTH-001', severity: 'low', ip: '203.0.113.7', principal: null, request_id: `req-${T0}`, trace_id: TRACE, outcome: 'denied',
    reason: 'unknown_key', caused_by: cause.id, details: { stage: 'authentication', method: 'api_key', route: '/chat', permission: null, session_id: null },
  });
  // The first record of its chain: the auth partition its IP is keyed to.
  assert.deepEqual({ ...chain, hash: undefined }, { partition: 'jarvis.auth/4', seq: 1, prev: GENESIS, hash: undefined });
  assert.equal(chain!.hash, chainHash(chain!, recordOf(record)));
  assert.equal(record.time, cause.time);
  assert.equal(emitted[0]!.topic, 'jarvis.security');
  assert.equal(emitted[0]!.key, '203.0.113.7');
});

test('more than the threshold of failures from one IP within the window is brute force, and blocks that IP automatically', () => {
  const failures = [0, 1, 2, 3].map((m) => denied(T0 + m * MIN));
  const { emitted } = derived(security, failures);
  assert.deepEqual(types(emitted), [
    ...Array(4).fill('jarvis.security.auth_failed.v1'),
    'jarvis.security.brute_force_suspected.v1', 'jarvis.security.ip_auto_blocked.v1', 'jarvis.admin.ip_block_added.v1',
  ]);
  const block = decodeEnvelope(JSON.stringify(emitted.at(-1)!.envelope));
  assert.equal(emitted.at(-1)!.topic, 'jarvis.admin');
  assert.deepEqual({ ...(block.data as object), block_id: 'x' }, {
    block_id: 'x', cidr: '203.0.113.7', expires_at: new Date(T0 + 3 * MIN + 15 * MIN).toISOString(), reason: 'brute force: 4 failed authentications within 300 s',
    source: 'auto', created_by: null, created_at: failures[3]!.time,
  });
  for (const e of emitted) decodeEnvelope(JSON.stringify(e.envelope));
});

test('failures spread wider than the window, or from different IPs, are not brute force', () => {
  const spread = [0, 2, 4, 6, 8, 10].map((m) => denied(T0 + m * MIN));
  assert.ok(!types(derived(security, spread).emitted).includes('jarvis.security.brute_force_suspected.v1'));
  const many = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5'].map((ip) => denied(T0, ip));
  assert.ok(!types(derived(security, many).emitted).includes('jarvis.security.brute_force_suspected.v1'));
});

test('missing credentials and expired tokens are audited but do not count as guessing', () => {
  const confused = [0, 1, 2, 3, 4, 5].map((s) => denied(T0 + s * 1000, '198.51.100.4', 'authentication', s % 2 ? 'missing_credential' : 'expired_token'));
  const { emitted } = derived(security, confused);
  assert.deepEqual(new Set(types(emitted)), new Set(['jarvis.security.auth_failed.v1']));
  assert.equal(emitted.length, 6);
});

test('while an IP is auto-blocked it is not blocked again; after the block ends, counting starts afresh', () => {
  const first = [0, 1, 2, 3].map((s) => denied(T0 + s * 1000));
  const during = [4, 5, 6, 7, 8].map((s) => denied(T0 + s * 1000));
  const after = [0, 1, 2, 3].map((s) => denied(T0 + 16 * MIN + s * 1000));
  const { emitted } = derived(security, [...first, ...during, ...after]);
  assert.equal(types(emitted).filter((t) => t === 'jarvis.admin.ip_block_added.v1').length, 2);
});

test('ids are deterministic: deriving the same events again emits the same ids, different causes different ids', () => {
  const events = [...[0, 1, 2, 3].map((m) => denied(T0 + m * MIN)), denied(T0, '192.0.2.9', 'authorization')];
  const a = derived(security, events).emitted.map((e) => e.envelope.id);
  const b = derived(security, events).emitted.map((e) => e.envelope.id);
  assert.deepEqual(a, b);
  assert.equal(new Set(a).size, a.length);
  for (const id of a) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('permission denials, rate limits, degradation and refused input map to their kinds', () => {
  const events: Envelope[] = [
    denied(T0, '192.0.2.1', 'authorization'),
    at(T0, RateLimitExceeded, { tier: 'api', scope: 'ip', ip: '192.0.2.1', principal: null, limit: 60, window_seconds: 60, retry_after_seconds: 12, request_id: 'r1' }),
    at(T0, RateLimitDegraded, { instance: 'i1', state: 'degraded', local_share: 0.5 }),
    ...(['ip_blocked', 'ip_not_allowed', 'untrusted_host', 'body_too_large', 'validation_failed'] as const).map((reason) =>
      at(T0, InputRejected, { reason, ip: '192.0.2.1', principal: null, route: '/chat', status: 400, request_id: 'r2', detail: null })),
  ];
  const { emitted } = derived(security, events);
  assert.deepEqual(emitted.map((e) => [e.envelope.type.split('.')[2], (e.envelope.data as { code: string }).code]), [
    ['permission_denied', 'JRV-AUTHZ-001'], ['rate_limit_exceeded', 'JRV-RATE-001'], ['rate_limit_degraded', 'JRV-RATE-002'],
    ['blocked_ip_hit', 'JRV-NET-001'], ['ip_not_allowed', 'JRV-NET-002'], ['untrusted_host', 'JRV-NET-003'], ['input_rejected', 'JRV-INPUT-001'], ['input_rejected', 'JRV-INPUT-001'],
  ]);
});

test('admin actions, key revocations and session revocations are recorded without any secret', () => {
  const hash = createHash('sha256').update('the-secret').digest('hex');
  const events: Envelope[] = [
    at(T0, ApiKeyCreated, { key_id: 'k1', name: 'ci', permissions: ['read'], secret_sha256: hash, created_at: new Date(T0).toISOString(), expires_at: null, created_by: 'admin', rotated_from: null }),
    at(T0, ApiKeyRevoked, { key_id: 'k1', revoked_by: 'admin', reason: 'leaked' }),
    at(T0, IpBlockAdded, { block_id: 'b1', cidr: '192.0.2.0/24', expires_at: null, reason: 'abuse', source: 'admin', created_by: 'admin', created_at: new Date(T0).toISOString() }),
    at(T0, SessionRevoked, { session_id: 's1', principal: 'k2', by: 'admin', reason: 'admin' }),
  ];
  const { emitted } = derived(security, events);
  assert.deepEqual(types(emitted), [
    'jarvis.security.admin_action.v1', 'jarvis.security.admin_action.v1', 'jarvis.security.key_revoked.v1', 'jarvis.security.admin_action.v1', 'jarvis.security.session_revoked.v1',
  ]);
  assert.equal((emitted[2]!.envelope.data as { principal: string }).principal, 'k1');
  assert.ok(!JSON.stringify(emitted).includes(hash), 'the secret hash is not copied into the audit stream');
});

test("admin records name the admin request's client IP; events written before the field existed still give null", () => {
  const ip = '198.51.100.23';
  const events: Envelope[] = [
    at(T0, ApiKeyCreated, { key_id: 'k1', name: 'ci', permissions: ['read'], secret_sha256: 'a'.repeat(64), created_at: new Date(T0).toISOString(), expires_at: null, created_by: 'admin', rotated_from: null, ip }),
    at(T0, ApiKeyRotated, { key_id: 'k1', successor_id: 'k2', overlap_until: new Date(T0 + DAY).toISOString(), rotated_by: 'admin', ip }),
    at(T0, ApiKeyRevoked, { key_id: 'k1', revoked_by: 'admin', reason: null, ip }),
    at(T0, IpBlockAdded, { block_id: 'b1', cidr: '192.0.2.0/24', expires_at: null, reason: null, source: 'admin', created_by: 'admin', created_at: new Date(T0).toISOString(), ip }),
    at(T0, IpBlockRemoved, { block_id: 'b1', removed_by: 'admin', ip }),
    at(T0, SessionRevoked, { session_id: 's1', principal: 'k2', by: 'k2', reason: 'logout', ip }),
    at(T0, ApiKeyRevoked, { key_id: 'k3', revoked_by: 'admin', reason: null }),
  ];
  const ips = derived(security, events).emitted.map((e) => [e.envelope.type.split('.')[2], (e.envelope.data as { ip: string | null }).ip]);
  assert.deepEqual(ips, [
    ['admin_action', ip], ['admin_action', ip], ['admin_action', ip], ['key_revoked', ip], ['admin_action', ip], ['admin_action', ip], ['session_revoked', ip],
    ['admin_action', null], ['key_revoked', null],
  ]);
});

test('granted decisions, automatic blocks coming back, and unrelated events emit nothing', () => {
  const granted = at(T0, AuthDecisionRecorded, { stage: 'authentication', outcome: 'granted', reason: 'ok', method: 'api_key', principal: 'k', session_id: null, permission: null, ip: '192.0.2.1', route: '/chat', request_id: 'r' });
  const auto = at(T0, IpBlockAdded, { block_id: 'auto-1', cidr: '192.0.2.1', expires_at: null, reason: null, source: 'auto', created_by: null, created_at: new Date(T0).toISOString() });
  assert.deepEqual(derived(security, [granted, auto]).emitted, []);
});

test('key expiry is detected at a frozen time: a warning inside the warning period, then the expiry, with stable ids', () => {
  const create = at(T0, ApiKeyCreated, {
    key_id: 'k1', name: 'ci', permissions: ['read'], secret_sha256: 'a'.repeat(64), created_at: new Date(T0).toISOString(),
    expires_at: new Date(T0 + 30 * DAY).toISOString(), created_by: 'admin', rotated_from: null,
  });
  const s = given(security, [create]).state;
  assert.deepEqual(security.scan!(s, T0 + 22 * DAY), []);
  const warn = security.scan!(s, T0 + 23 * DAY);
  assert.deepEqual(types(warn), ['jarvis.security.key_expiring.v1']);
  assert.equal(warn[0]!.envelope.time, new Date(T0 + 23 * DAY).toISOString());
  assert.deepEqual(security.scan!(s, T0 + 25 * DAY).map((e) => e.envelope.id), warn.map((e) => e.envelope.id), 'the same warning, whenever scanned');
  const expired = security.scan!(s, T0 + 30 * DAY);
  assert.deepEqual(types(expired), ['jarvis.security.key_expired.v1']);
  decodeEnvelope(JSON.stringify(expired[0]!.envelope));
  assert.deepEqual(security.scan!(s, T0 + 38 * DAY), [], 'not reported again forever');
  const revoked = given(security, [create, at(T0 + DAY, ApiKeyRevoked, { key_id: 'k1', revoked_by: null, reason: null })]).state;
  assert.deepEqual(security.scan!(revoked, T0 + 30 * DAY), [], 'a revoked key does not expire again');
});

test('the brute-force state is the same whichever way other partitions interleave', () => {
  const mine = [0, 1, 2].map((m) => denied(T0 + m * MIN));
  const other = [denied(T0 + 2 * 3_600_000, '198.51.100.2')]; // auth partition 0; 203.0.113.7 is in 4
  const a = derived(security, [...mine, ...other]);
  const b = derived(security, [...other, ...mine]);
  assert.deepEqual(security.toJSON!(a.state), security.toJSON!(b.state));
  assert.deepEqual(a.emitted.map((e) => e.envelope.id).sort(), b.emitted.map((e) => e.envelope.id).sort());
});

const chainOf = (e: { envelope: Envelope }) => (e.envelope.data as SecurityEventData).chain!;

test('records derived from one input partition form one hash chain, continued across a snapshot and restore', () => {
  const events = [0, 1, 2].map((m) => denied(T0 + m * MIN));
  const first = derived(security, events.slice(0, 2));
  const restored = security.fromJSON!(JSON.parse(JSON.stringify(security.toJSON!(first.state))));
  const next = security.derive(restored, events[2]!);
  const links = [...first.emitted, ...next.emitted].map(chainOf);
  assert.deepEqual(links.map((l) => [l.partition, l.seq]), [['jarvis.auth/4', 1], ['jarvis.auth/4', 2], ['jarvis.auth/4', 3]]);
  assert.equal(links[1]!.prev, links[0]!.hash);
  assert.equal(links[2]!.prev, links[1]!.hash);
  // Deriving the same partition again from scratch gives byte-identical links (a rebuild, a second projector).
  const again = derived(security, events);
  assert.deepEqual(again.emitted.map(chainOf), links);
});

test('another input partition is another chain, whatever the interleaving', () => {
  const mine = [0, 1].map((m) => denied(T0 + m * MIN));
  const other = [denied(T0 + 30_000, '198.51.100.2')];
  const a = derived(security, [...mine, ...other]).emitted.map(chainOf);
  const b = derived(security, [...other, ...mine]).emitted.map(chainOf);
  const byId = (links: { partition: string; seq: number; hash: string }[]) => links.map((l) => `${l.partition}#${l.seq}:${l.hash}`).sort();
  assert.deepEqual(byId(a), byId(b));
  assert.deepEqual([...new Set(a.map((l) => l.partition))].sort(), ['jarvis.auth/0', 'jarvis.auth/4']);
});

test('a key-expiry record is its own one-record chain, the same on every scan', () => {
  const created = at(T0, ApiKeyCreated, { key_id: 'key-exp', name: 'ci', permissions: ['read'], secret_sha256: 'a'.repeat(64), created_at: new Date(T0).toISOString(), expires_at: new Date(T0 + 10 * DAY).toISOString(), created_by: 'admin', rotated_from: null });
  const { state } = derived(security, [created]);
  const one = security.scan!(state, T0 + 4 * DAY);
  const two = security.scan!(state, T0 + 5 * DAY);
  assert.equal(one.length, 1);
  assert.deepEqual(two, one);
  const link = chainOf(one[0]!);
  assert.deepEqual([link.partition, link.seq, link.prev], [`key-expiry/${one[0]!.envelope.id}`, 1, GENESIS]);
});
