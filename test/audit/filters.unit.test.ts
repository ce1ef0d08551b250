import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeCursor, encodeCursor, resolveType, AuditFilters } from '../../src/audit/filters.ts';
import { cidrKeyRange, ipKey } from '../../src/audit/ipkey.ts';
import { parseTimeBound } from '../../src/audit/time.ts';
import { isAppError } from '../../src/shared/errors.ts';

const NOW = Date.parse('2026-05-01T12:00:00Z');

describe('audit filters', () => {
  test('time bounds: relative ages count back from now, ISO instants are taken as given', () => {
    for (const [raw, want] of [
      ['15m', NOW - 15 * 60_000], ['1h', NOW - 3_600_000], ['7d', NOW - 7 * 86_400_000], ['30s', NOW - 30_000],
      ['2026-05-01T10:00:00Z', Date.parse('2026-05-01T10:00:00Z')], ['2026-05-01T10:00:00+02:00', Date.parse('2026-05-01T08:00:00Z')], ['2026-04-30', Date.parse('2026-04-30')],
    ] as const) assert.equal(parseTimeBound(raw, NOW), want, raw);
    for (const bad of ['', '1', '-1h', '1y', 'May 5', 'yesterday', '2026-13-45T00:00:00Z', '1h30m']) assert.equal(parseTimeBound(bad, NOW), null, bad);
  });

  test('types are found by CloudEvents type, short name or stable code', () => {
    for (const alias of ['jarvis.security.auth_failed.v1', 'auth_failed', 'JRV-AUTH-001', 'jrv-auth-001']) assert.equal(resolveType(alias), 'jarvis.security.auth_failed.v1', alias);
    assert.equal(resolveType('jarvis.auth.decision_recorded.v1'), undefined);
  });

  test('bad filter values are refused by the schema', () => {
    for (const bad of [{ type: 'nope' }, { ip: '300.1.1.1' }, { ip: '10.0.0.0/33' }, { since: 'soon' }, { outcome: 'maybe' }, { trace_id: 'XYZ' }, { colour: 'red' }]) {
      assert.equal(AuditFilters.safeParse(bad).success, false, JSON.stringify(bad));
    }
    assert.equal(AuditFilters.safeParse({ type: 'auth_failed,JRV-RATE-001', ip: '2001:db8::/32', outcome: 'denied,blocked' }).success, true);
  });

  test('a CIDR range covers exactly its addresses, IPv4 and IPv6, mapped IPv4 as IPv4', () => {
    const r = cidrKeyRange('203.0.113.0/24');
    const inside = (ip: string) => { const k = ipKey(ip)!; return k >= r.lo && k <= r.hi; };
    assert.equal(inside('203.0.113.0'), true);
    assert.equal(inside('203.0.113.255'), true);
    assert.equal(inside('::ffff:203.0.113.9'), true);
    assert.equal(inside('203.0.114.0'), false);
    assert.equal(inside('203.0.112.255'), false);
    const v6 = cidrKeyRange('2001:db8::/32');
    const k = ipKey('2001:db8:ffff::1')!;
    assert.equal(k >= v6.lo && k <= v6.hi, true);
    assert.equal(ipKey('2001:db9::1')! > v6.hi, true);
    assert.equal(ipKey('hmac:abc'), null);
  });

  test('cursors round-trip; anything else is a validation error', () => {
    assert.deepEqual(decodeCursor(encodeCursor(123, 'a-b')), { timeMs: 123, id: 'a-b' });
    for (const bad of ['', 'zzz', Buffer.from('x:y').toString('base64url')]) {
      assert.throws(() => decodeCursor(bad), (e: unknown) => isAppError(e) && e.code === 'ERR_VALIDATION');
    }
  });
});
