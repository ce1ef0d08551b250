/**
 * Several API instances share one truth through Kafka: a key created, a key revoked, an IP
 * blocked or a session ended on instance A takes effect on instance B. Also measures the delay
 * from A's answer to B's enforcement (printed; the figures in the README come from this test).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { KEYS, startTestJarvis, type TestJarvis } from '../support/http-jarvis.ts';
import { exitWhenDone } from '../support/exit-guard.ts';

exitWhenDone();

const brokers = process.env.KAFKA_BROKERS;
const json = { 'content-type': 'application/json' };

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (await check()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`not within ${timeoutMs} ms`);
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))]!;

describe('two instances on one Kafka', { skip: brokers ? false : 'KAFKA_BROKERS is not set (npm test sets it)' }, () => {
  let a: TestJarvis;
  let b: TestJarvis;
  before(async () => {
    // B is polled with revoked keys on purpose: keep brute-force protection from blocking the test client.
    const env = { KAFKA_BROKERS: brokers!, JARVIS_TOPIC_PREFIX: `t${randomUUID().slice(0, 8)}.`, JARVIS_TRUSTED_PROXIES: '127.0.0.1', JARVIS_BRUTE_FORCE_THRESHOLD: '100000' };
    a = await startTestJarvis({ ...env, JARVIS_INSTANCE_ID: 'instance-a' });
    b = await startTestJarvis({ ...env, JARVIS_INSTANCE_ID: 'instance-b' });
    // B's consumer has joined when an event from A reaches it.
    const probe = (await (await a.fetch('/admin/keys', { method: 'POST', key: KEYS.admin, headers: json, body: JSON.stringify({ name: 'probe', permissions: ['read'] }) })).json()) as { key: string };
    await until(async () => (await b.fetch('/status', { key: probe.key })).status === 200, 60_000);
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('enforces on B what an admin did on A: new keys, revoked keys, blocked IPs', async () => {
    const created: number[] = [];
    const revoked: number[] = [];
    for (let i = 0; i < 15; i++) {
      const key = (await (await a.fetch('/admin/keys', { method: 'POST', key: KEYS.admin, headers: json, body: JSON.stringify({ name: `k${i}`, permissions: ['read'] }) })).json()) as { id: string; key: string };
      created.push(await until(async () => (await b.fetch('/status', { key: key.key })).status === 200));
      assert.equal((await a.fetch(`/admin/keys/${key.id}`, { method: 'DELETE', key: KEYS.admin })).status, 204);
      revoked.push(await until(async () => (await b.fetch('/status', { key: key.key })).status === 401));
    }
    const block = (await (await a.fetch('/admin/ip-blocks', { method: 'POST', key: KEYS.admin, headers: json, body: JSON.stringify({ cidr: '203.0.113.0/24', expires_in: 600 }) })).json()) as { id: string };
    const blocked = await until(async () => (await b.fetch('/status', { key: KEYS.read, headers: { 'x-forwarded-for': '203.0.113.77' } })).status === 403);
    assert.equal((await a.fetch(`/admin/ip-blocks/${block.id}`, { method: 'DELETE', key: KEYS.admin })).status, 204);
    await until(async () => (await b.fetch('/status', { key: KEYS.read, headers: { 'x-forwarded-for': '203.0.113.77' } })).status === 200);
    const all = [...created, ...revoked, blocked];
    console.log(`# propagation A→B over Kafka: median ${pct(all, 0.5).toFixed(1)} ms, p99 ${pct(all, 0.99).toFixed(1)} ms (n=${all.length}; key created median ${pct(created, 0.5).toFixed(1)}, revoked median ${pct(revoked, 0.5).toFixed(1)})`);
  });

  it('ends on B a session logged out on A', async () => {
    const tok = (await (await a.fetch('/auth/token', { method: 'POST', key: KEYS.full })).json()) as { access_token: string };
    assert.equal((await b.fetch('/status', { key: tok.access_token })).status, 200);
    assert.equal((await a.fetch('/auth/logout', { method: 'POST', key: tok.access_token })).status, 204);
    await until(async () => (await b.fetch('/status', { key: tok.access_token })).status === 401);
  });

  it('shares rate-limit budgets: requests counted on A are spent on B', async () => {
    // The API tier is 1000/min in tests; spend 990 on A from one client address, then B has ~10 left.
    const ip = '198.51.100.9';
    for (let i = 0; i < 990; i += 30) {
      await Promise.all(Array.from({ length: Math.min(30, 990 - i) }, () => a.fetch('/status', { key: KEYS.read, headers: { 'x-forwarded-for': ip } }).then((r) => r.arrayBuffer())));
    }
    await until(async () => {
      const r = await b.fetch('/health');
      await r.arrayBuffer();
      const s = await b.fetch('/status', { key: KEYS.admin, headers: { 'x-forwarded-for': ip } });
      await s.arrayBuffer();
      return Number(s.headers.get('ratelimit-remaining')) < 20 || s.status === 429;
    });
  });
});
