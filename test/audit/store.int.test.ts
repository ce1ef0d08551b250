import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createPseudonymizer, type Pseudonymizer } from '../../src/audit/hmac.ts';
import { Secret } from '../../src/shared/secret.ts';
import { auditProjection } from '../../src/audit/projection.ts';
import { AuditStore } from '../../src/audit/store.ts';
import { verifyStore } from '../../src/audit/verify.ts';
import type { AppliedEvent } from '../../src/projections/types.ts';
import { applied } from '../support/audit-records.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const T0 = Date.parse('2026-05-01T12:00:00Z');
const NOW = T0 + 3_600_000;

function open(pseudo: Pseudonymizer = createPseudonymizer(undefined, false)) {
  const dir = mkdtempSync(path.join(tmpdir(), 'jarvis-audit-'));
  dirs.push(dir);
  const file = path.join(dir, 'audit.db');
  const db = new Database(file);
  const p = auditProjection({ pseudonyms: pseudo });
  p.setup(db);
  const apply = (events: readonly AppliedEvent[]) => db.transaction(() => p.applyBatch(db, events))();
  return { db, apply, store: new AuditStore(file, pseudo), projection: p };
}

describe('the audit store', () => {
  const { apply, store } = open();
  const events = [
    applied({ timeMs: T0 + 1000, ip: '203.0.113.7', requestId: 'r1', traceId: 'a'.repeat(32) }),
    applied({ timeMs: T0 + 2000, ip: '203.0.113.200', requestId: 'r2' }),
    applied({ timeMs: T0 + 3000, ip: '198.51.100.1', kind: 'jarvis.security.permission_denied.v1', principal: 'key_alice', requestId: 'r3' }),
    applied({ timeMs: T0 + 4000, ip: '2001:db8::5', kind: 'jarvis.security.rate_limit_exceeded.v1', principal: 'key_bob', requestId: 'r4' }, 1),
    applied({ timeMs: T0 + 5000, ip: null, kind: 'jarvis.security.admin_action.v1', principal: 'admin', outcome: 'changed', requestId: 'r5' }, 2),
  ];
  apply(events);
  const ids = (f: Parameters<AuditStore['page']>[0]) => store.page(f, 100, undefined, NOW).events.map((e) => e.data.request_id);

  test('each filter selects exactly its records, newest first', () => {
    assert.deepEqual(ids({}), ['r5', 'r4', 'r3', 'r2', 'r1']);
    assert.deepEqual(ids({ type: 'auth_failed' }), ['r2', 'r1']);
    assert.deepEqual(ids({ type: 'JRV-AUTHZ-001,rate_limit_exceeded' }), ['r4', 'r3']);
    assert.deepEqual(ids({ ip: '203.0.113.7' }), ['r1']);
    assert.deepEqual(ids({ ip: '203.0.113.0/24' }), ['r2', 'r1']);
    assert.deepEqual(ids({ ip: '2001:db8::/32' }), ['r4']);
    assert.deepEqual(ids({ ip: '::ffff:198.51.100.1' }), ['r3']);
    assert.deepEqual(ids({ principal: 'key_alice' }), ['r3']);
    assert.deepEqual(ids({ request_id: 'r2' }), ['r2']);
    assert.deepEqual(ids({ trace_id: 'a'.repeat(32) }), ['r1']);
    assert.deepEqual(ids({ outcome: 'changed' }), ['r5']);
    assert.deepEqual(ids({ since: new Date(T0 + 2000).toISOString(), until: new Date(T0 + 4000).toISOString() }), ['r3', 'r2']);
    assert.deepEqual(ids({ since: '1h' }), ['r5', 'r4', 'r3', 'r2', 'r1']);
    assert.deepEqual(ids({ since: '3598s' }), ['r5', 'r4', 'r3', 'r2']);
    assert.deepEqual(ids({ id: events[0]!.envelope.id }), ['r1']);
    assert.deepEqual(ids({ type: 'auth_failed', ip: '203.0.113.0/24', since: '2h' }), ['r2', 'r1']);
  });

  test('records are served CloudEvents-shaped with their chain link', () => {
    const [r] = store.page({ request_id: 'r1' }, 1, undefined, NOW).events;
    assert.deepEqual(Object.keys(r!).sort(), ['data', 'id', 'source', 'subject', 'time', 'type']);
    for (const f of ['code', 'severity', 'ip', 'principal', 'request_id', 'trace_id', 'outcome', 'reason', 'caused_by']) assert.ok(f in r!.data, f);
    assert.equal(r!.data.code, 'JRV-AUTH-001');
    assert.match(r!.data.chain.hash, /^[0-9a-f]{64}$/);
  });

  test('the same records delivered again change nothing (idempotent by id)', () => {
    const before = store.count();
    apply(events);
    assert.equal(store.count(), before);
    assert.equal(verifyStore(store).ok, true);
  });
});

describe('pagination', () => {
  test('pages are stable while new records arrive: no record twice, none skipped', () => {
    const { apply, store } = open();
    apply(Array.from({ length: 250 }, (_, i) => applied({ timeMs: T0 + Math.floor(i / 3) * 1000, requestId: `old-${i}` }, i % 3)));
    const seen: string[] = [];
    let cursor: string | undefined;
    let round = 0;
    do {
      const page = store.page({ type: 'auth_failed' }, 40, cursor, NOW);
      seen.push(...page.events.map((e) => e.data.request_id!));
      // New records keep arriving between pages, newer and as old as the ones being paged.
      apply([applied({ timeMs: T0 + 500_000 + round, requestId: `new-${round}` }), applied({ timeMs: T0 + 90_000, requestId: `late-${round}` }, 1)]);
      round++;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    const old = seen.filter((s) => s.startsWith('old-'));
    assert.equal(old.length, 250);
    assert.equal(new Set(seen).size, seen.length, 'no record twice');
    assert.ok(!seen.some((s) => s.startsWith('new-')), 'records newer than the first page never appear later');
  });

  test('limit and cursor: the last page has no next_cursor', () => {
    const { apply, store } = open();
    apply(Array.from({ length: 5 }, (_, i) => applied({ timeMs: T0 + i })));
    const p1 = store.page({}, 3, undefined, NOW);
    const p2 = store.page({}, 3, p1.next_cursor!, NOW);
    assert.equal(p1.events.length, 3);
    assert.equal(p2.events.length, 2);
    assert.equal(p2.next_cursor, null);
  });
});

describe('retention', () => {
  test('pruning drops old records and leaves a chain that still verifies', () => {
    const { apply, store } = open();
    apply(Array.from({ length: 10 }, (_, i) => applied({ timeMs: T0 + i * 60_000 }, i % 2)));
    assert.equal(store.prune(T0 + 5 * 60_000), 5);
    assert.equal(store.count(), 5);
    assert.equal(verifyStore(store).ok, true);
    apply([applied({ timeMs: T0 + 20 * 60_000 }, 0)]);
    assert.equal(verifyStore(store).ok, true, 'new records link onto the pruned chain');
    assert.equal(store.prune(T0 + 60 * 60_000), 6);
    apply([applied({ timeMs: T0 + 61 * 60_000 }, 0)]);
    assert.equal(verifyStore(store).ok, true, 'a fully pruned partition continues from its anchor');
  });
});

describe('keyed HMACs', () => {
  test('key ids, session ids and (optionally) IPs are stored as pseudonyms and found by their clear value', () => {
    const pseudo = createPseudonymizer(new Secret('k'.repeat(40)), true);
    const { apply, store, db } = open(pseudo);
    apply([applied({ timeMs: T0, principal: 'key_secretive', ip: '203.0.113.9', details: { key_id: 'key_secretive', session_id: 'ses_123', route: '/chat' } })]);
    const raw = db.prepare('SELECT record FROM audit_events').pluck().get() as string;
    for (const clear of ['key_secretive', 'ses_123', '203.0.113.9']) assert.ok(!raw.includes(clear), `${clear} stored in clear`);
    const [r] = store.page({ principal: 'key_secretive', ip: '203.0.113.9' }, 10, undefined, NOW).events;
    assert.equal(r!.data.principal, pseudo.of('key_secretive'));
    assert.equal(r!.data.details!.route, '/chat');
    assert.match(r!.data.principal!, /^hmac:[0-9a-f]{24}$/);
  });
});
