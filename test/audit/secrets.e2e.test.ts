/**
 * Nothing secret reaches the audit trail or anything else a run writes: after a session that
 * uses every kind of credential (static keys, the admin key, a minted JWT, a managed key before
 * and after revocation, wrong keys) and reads the audit log every way, no file in the data
 * directory (event log, read models, SQLite WAL files, chain heads) and no log line contains
 * any of those secrets, nor the JWT secret or the audit HMAC key.
 */
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/telemetry/logger.ts';
import { KEYS, startAuditJarvis } from '../support/audit-jarvis.ts';
import { openSse } from '../support/audit-sse.ts';
import { JWT_SECRET } from '../support/http-jarvis.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test('no key, token or secret used in a run is written anywhere', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jarvis-audit-secrets-'));
  const logDir = mkdtempSync(path.join(tmpdir(), 'jarvis-audit-secrets-log-'));
  const logFile = path.join(logDir, 'run.log');
  const stream = createWriteStream(logFile);
  const hmacKey = 'audit-hmac-key-'.padEnd(48, 'q');
  const secrets: string[] = [...Object.values(KEYS), JWT_SECRET, hmacKey];
  const j = await startAuditJarvis({ JARVIS_DATA_DIR: dataDir, JARVIS_AUDIT_HMAC_KEY: hmacKey, JARVIS_TRUSTED_PROXIES: '127.0.0.1' }, { logger: createLogger({ level: 'debug', destination: stream }) });
  try {
    const call = async (p: string, key: string, init: RequestInit = {}) => (await j.fetch(p, { ...init, key })).status;
    for (const key of [KEYS.full, KEYS.read, KEYS.chat]) assert.equal(await call('/status', key), 200);
    // Wrong credentials of every shape, from an IP that then trips the brute-force view.
    for (let i = 0; i < 5; i++) {
      const wrong = `wrong-secret-${i}-${'z'.repeat(20)}`;
      secrets.push(wrong);
      assert.equal(await call('/status', wrong, { headers: { 'x-forwarded-for': '203.0.113.66' } }), 401);
    }
    const forgedJwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXRoYXQtaXMtd3Jvbmc';
    secrets.push(forgedJwt);
    assert.equal(await call('/status', forgedJwt), 401);
    // A minted JWT, used, then its session revoked by logout and used again.
    const tok = (await (await j.fetch('/auth/token', { key: KEYS.full, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { access_token: string };
    secrets.push(tok.access_token);
    assert.equal(await call('/status', tok.access_token), 200);
    assert.equal((await j.fetch('/auth/logout', { key: tok.access_token, method: 'POST' })).status < 300, true);
    // A managed key: created, used, revoked, refused.
    const created = (await (await j.fetch('/admin/keys', { key: KEYS.admin, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'temp', permissions: ['read'] }) })).json()) as { id: string; key: string };
    secrets.push(created.key);
    assert.equal(await call('/status', created.key), 200);
    assert.equal((await j.fetch(`/admin/keys/${created.id}`, { key: KEYS.admin, method: 'DELETE' })).status, 204);
    await j.until(async () => (await call('/status', created.key)) === 401);
    // Every way of reading the audit log.
    await j.until(async () => (await j.admin<{ events: unknown[] }>('/admin/audit?type=auth_failed&limit=1000')).events.length >= 7);
    await (await j.fetch('/admin/audit/export', { key: KEYS.admin })).text();
    await j.admin(`/admin/audit/stats?by=principal`);
    await j.admin(`/admin/audit/verify?against=log`);
    await (await j.fetch('/admin/audit/hmac', { key: KEYS.admin, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: created.id }) })).arrayBuffer();
    const live = await openSse(`${j.url}/admin/audit/live`, { authorization: `Bearer ${KEYS.admin}` });
    await call('/status', 'one-more-wrong-secret-0123456789');
    secrets.push('one-more-wrong-secret-0123456789');
    await live.next(1);
    live.close();
    j.audit.publishHeads(Date.now());
    // The audit log holds the key id only as its HMAC.
    const rows = (await j.admin<{ events: { data: { principal: string | null } }[] }>(`/admin/audit?principal=${created.id}`)).events;
    assert.ok(rows.length > 0 && rows.every((r) => r.data.principal!.startsWith('hmac:')));
  } finally {
    await j.close();
    await new Promise((r) => stream.end(r));
  }
  try {
    const files = [...filesUnder(dataDir), logFile];
    assert.ok(files.some((f) => f.endsWith('audit.db')) && files.some((f) => f.endsWith('eventlog.db')), files.join(', '));
    assert.ok(readFileSync(logFile).length > 0, 'the run logged something');
    const leaks: string[] = [];
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const s of secrets) if (bytes.includes(s)) leaks.push(`${path.basename(f)} contains ${s.slice(0, 12)}…`);
    }
    assert.deepEqual(leaks, []);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(logDir, { recursive: true, force: true });
  }
});
