/**
 * Export of any size with bounded memory: the NDJSON stream reads the store a page at a time
 * and only as fast as the client takes the bytes. A client that stops reading stops the reads.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { createPseudonymizer } from '../../src/audit/hmac.ts';
import { auditProjection } from '../../src/audit/projection.ts';
import { applied } from '../support/audit-records.ts';
import { KEYS, startAuditJarvis } from '../support/audit-jarvis.ts';

test('a client that stops reading an export stops the store reads; resuming delivers every record once', { timeout: 120_000 }, async () => {
  const j = await startAuditJarvis();
  try {
    // 60,000 records (about 40 MB of NDJSON) written straight into audit.db, on a partition the topic does not use.
    const db = new Database(path.join(j.dataDir, 'audit.db'));
    const p = auditProjection({ pseudonyms: createPseudonymizer(undefined, false) });
    const t0 = Date.now() - 3_600_000;
    for (let b = 0; b < 60; b++) {
      const batch = Array.from({ length: 1000 }, (_, i) => applied({ timeMs: t0 + b * 1000 + i, ip: '198.51.100.200', requestId: `bulk-${b * 1000 + i}` }, 7));
      db.transaction(() => p.applyBatch(db, batch))();
    }
    db.close();

    // Count the pages the export asks the store for (the real store, observed).
    const store = j.audit.store;
    const page = store.page.bind(store);
    let pages = 0;
    store.page = (...args) => (pages++, page(...args));

    const u = new URL(`${j.url}/admin/audit/export?ip=198.51.100.200`);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: { authorization: `Bearer ${KEYS.admin}` } }, resolve).on('error', reject));
    assert.equal(res.statusCode, 200);
    res.pause();
    await new Promise((r) => setTimeout(r, 1000));
    const whilePaused = pages;
    // What was read fills the socket buffers (a few MB on loopback), not the whole export.
    assert.ok(whilePaused <= 25, `the export read ${whilePaused} of 60 pages while the client read nothing`);

    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (buf += c));
    res.resume();
    await new Promise((r) => res.on('end', r));
    const ids = buf.trim().split('\n').map((l) => (JSON.parse(l) as { data: { request_id: string } }).data.request_id);
    assert.equal(ids.length, 60_000);
    assert.equal(new Set(ids).size, 60_000);
    assert.equal(ids[0], 'bulk-59999', 'newest first');
    assert.ok(pages >= 60);
  } finally {
    await j.close();
  }
});
