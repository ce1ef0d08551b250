/**
 * The analyst's question, through the API of a running instance: "which IPs failed
 * authentication more than 10 times in the last hour, and what did each of them try?" — plus the
 * query, export and live endpoints it relies on, and the audit of those reads themselves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KEYS, startAuditJarvis, type AuditJarvis } from '../support/audit-jarvis.ts';
import { openSse } from '../support/audit-sse.ts';

interface Rec { id: string; type: string; time: string; data: { code: string; ip: string | null; principal: string | null; reason: string; request_id: string | null; details?: Record<string, unknown>; chain: { seq: number } } }

let j: AuditJarvis;
const from = (ip: string) => ({ 'x-forwarded-for': ip });

async function failFrom(ip: string, n: number, path = '/admin/keys'): Promise<void> {
  for (let i = 0; i < n; i++) await (await j.fetch(path, { key: `wrong-key-${ip}-${i}-0123456789`, headers: from(ip) })).arrayBuffer();
}
const count = async (q: string) => (await j.admin<{ events: Rec[] }>(`/admin/audit?${q}&limit=1000`)).events.length;

before(async () => {
  j = await startAuditJarvis({ JARVIS_TRUSTED_PROXIES: '127.0.0.1' });
  await failFrom('203.0.113.50', 8, '/admin/keys');
  await failFrom('203.0.113.50', 4, '/status');
  await failFrom('198.51.100.9', 3);
  await (await j.fetch('/admin/keys', { key: KEYS.read, headers: from('192.0.2.1') })).arrayBuffer();
  await j.until(async () => (await count('type=auth_failed')) >= 15 && (await count('type=permission_denied')) >= 1);
});
after(() => j.close());

describe('investigating failed authentications', () => {
  test('stats answer which IPs failed more than 10 times in the last hour, and what each tried', async () => {
    const res = await j.admin<{ by: string; groups: { key: string; count: number; tried: Record<string, number>; reasons: Record<string, number> }[] }>('/admin/audit/stats?type=auth_failed&since=1h&by=ip&min_count=11');
    assert.equal(res.groups.length, 1);
    const g = res.groups[0]!;
    assert.equal(g.key, '203.0.113.50');
    assert.equal(g.count, 12);
    assert.deepEqual(g.tried, { '/admin/keys (api_key)': 8, '/status (api_key)': 4 });
    assert.deepEqual(g.reasons, { unknown_key: 12 });
  });

  test('each attempt is listed with its route, request id and reason', async () => {
    const { events } = await j.admin<{ events: Rec[] }>('/admin/audit?type=JRV-AUTH-001&ip=203.0.113.50&since=1h&limit=100');
    assert.equal(events.length, 12);
    for (const e of events) {
      assert.equal(e.data.ip, '203.0.113.50');
      assert.ok(e.data.request_id);
      assert.ok(['/admin/keys', '/status'].includes(e.data.details!.route as string));
    }
    assert.deepEqual(events.map((e) => e.time), events.map((e) => e.time).sort().reverse(), 'newest first');
    assert.equal(await count('ip=203.0.113.0/24&type=auth_failed'), 12);
    assert.equal(await count('ip=198.51.100.0/24'), 3);
  });

  test('the Audit-Id a refused response carries finds its record', async () => {
    const refused = await j.fetch('/status', { key: 'quoted-by-a-client-0123456789', headers: from('192.0.2.44') });
    assert.equal(refused.status, 401);
    const auditId = refused.headers.get('audit-id');
    assert.match(auditId ?? '', /^[0-9a-f-]{36}$/);
    const rec = await j.until(async () => (await j.admin<{ events: Rec[] }>(`/admin/audit?id=${auditId}`)).events[0]);
    assert.deepEqual([rec.type, rec.data.ip, rec.data.request_id], ['jarvis.security.auth_failed.v1', '192.0.2.44', refused.headers.get('x-request-id')]);
  });

  test('a permission failure is its own code, with the principal that tried', async () => {
    const { events } = await j.admin<{ events: Rec[] }>('/admin/audit?type=permission_denied');
    assert.equal(events[0]!.data.code, 'JRV-AUTHZ-001');
    assert.equal(events[0]!.data.ip, '192.0.2.1');
    assert.ok(events[0]!.data.principal);
  });
});

describe('admin actions', () => {
  test('each record names the client IP and request of the admin call that caused it', async () => {
    const json = { 'content-type': 'application/json', ...from('198.51.100.23') };
    const created = await j.fetch('/admin/keys', { method: 'POST', key: KEYS.admin, headers: json, body: JSON.stringify({ name: 'leaky', permissions: ['read'] }) });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    const revoked = await j.fetch(`/admin/keys/${id}`, { method: 'DELETE', key: KEYS.admin, headers: from('198.51.100.23') });
    assert.equal(revoked.status, 204);
    // "Who revoked this key, and from where?"
    const records = await j.until(async () => {
      const { events } = await j.admin<{ events: Rec[] }>('/admin/audit?ip=198.51.100.23&limit=100');
      return events.length >= 3 ? events : null;
    });
    const byAction = (action: string) => records.find((r) => r.data.details?.action === action);
    const revokedBy = byAction('api_key_revoked')!;
    assert.equal(revokedBy.data.ip, '198.51.100.23');
    assert.equal(revokedBy.data.request_id, revoked.headers.get('x-request-id'));
    assert.equal(revokedBy.data.details!.key_id, id);
    assert.equal(byAction('api_key_created')!.data.request_id, created.headers.get('x-request-id'));
    const keyRecord = records.find((r) => r.type === 'jarvis.security.key_revoked.v1')!;
    assert.deepEqual([keyRecord.data.principal, keyRecord.data.ip], [id, '198.51.100.23']);
  });
});

describe('the audit API', () => {
  test('only admins read it; bad filters are refused with the field named', async () => {
    assert.equal((await j.fetch('/admin/audit', { key: KEYS.read })).status, 403);
    assert.equal((await j.fetch('/admin/audit')).status, 401);
    const bad = await j.fetch('/admin/audit?since=soon&limit=5000', { key: KEYS.admin });
    assert.equal(bad.status, 400);
    const p = (await bad.json()) as { type: string; errors: { path: string }[] };
    assert.equal(p.type, '/problems/validation');
    assert.deepEqual(p.errors.map((e) => e.path).sort(), ['limit', 'since']);
  });

  test('a query is itself audited, and its response carries the Audit-Id of that record', async () => {
    const res = await j.fetch('/admin/audit?type=auth_failed&ip=203.0.113.50', { key: KEYS.admin });
    const auditId = res.headers.get('audit-id');
    assert.match(auditId ?? '', /^[0-9a-f-]{36}$/);
    const found = await j.until(async () => (await j.admin<{ events: Rec[] }>(`/admin/audit?id=${auditId}`)).events[0]);
    assert.equal(found.type, 'jarvis.security.audit_queried.v1');
    assert.equal(found.data.code, 'JRV-AUDIT-001');
    assert.equal(found.data.details!.filter_ip, '203.0.113.50');
    assert.equal(found.data.details!.action, 'query');
    assert.ok((found.data as { chain?: unknown }).chain, 'derived by the projector, so linked into the chain like every record');
  });

  test('export streams every matching record as NDJSON', async () => {
    const res = await j.fetch('/admin/audit/export?type=auth_failed', { key: KEYS.admin });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/x-ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Rec);
    assert.equal(lines.length, await count('type=auth_failed'));
    assert.ok(lines.length >= 15);
    assert.ok(lines.every((l) => l.type === 'jarvis.security.auth_failed.v1'));
    const limited = (await (await j.fetch('/admin/audit/export?limit=2', { key: KEYS.admin })).text()).trim().split('\n');
    assert.equal(limited.length, 2);
  });

  test('live: new records arrive as SSE, heartbeats keep the stream open, Last-Event-ID resumes without loss', async () => {
    const url = `${j.url}/admin/audit/live?type=auth_failed`;
    const auth = { authorization: `Bearer ${KEYS.admin}` };
    const first = await openSse(url, auth);
    assert.equal(first.status, 200);
    await failFrom('198.51.100.77', 1);
    const [e1] = await first.next(1);
    assert.equal(e1!.event, null, 'plain message events, so EventSource.onmessage sees them');
    assert.equal((JSON.parse(e1!.data) as Rec).data.code, 'JRV-AUTH-001');
    assert.equal((JSON.parse(e1!.data) as Rec).data.ip, '198.51.100.77');
    assert.equal(e1!.id, (JSON.parse(e1!.data) as Rec).id);
    await j.until(() => first.comments.some((c) => c.startsWith('heartbeat')), 5000);
    first.close();
    // Missed while disconnected:
    await failFrom('198.51.100.78', 2);
    await j.until(async () => (await count('ip=198.51.100.78')) === 2);
    const resumed = await openSse(url, { ...auth, 'last-event-id': e1!.id! });
    const missed = await resumed.next(2);
    assert.deepEqual(missed.map((e) => (JSON.parse(e.data) as Rec).data.ip), ['198.51.100.78', '198.51.100.78']);
    resumed.close();
  });
});
