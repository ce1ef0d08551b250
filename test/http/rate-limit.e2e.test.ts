/** Sliding-window rate limits as a client sees them: exact under concurrency, with the IETF headers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HTTP_TOPIC } from '../../events/index.ts';
import { eventsOf } from '../support/http-events.ts';
import { KEYS, startTestJarvis } from '../support/http-jarvis.ts';

describe('rate limits', () => {
  it('admits exactly 60 of 200 concurrent requests at a limit of 60/min', async () => {
    const t = await startTestJarvis({ JARVIS_RATE_LIMIT_API: '60/min' });
    try {
      const results = await Promise.all(Array.from({ length: 200 }, () => t.fetch('/status', { key: KEYS.read }).then(async (r) => { await r.arrayBuffer(); return r; })));
      const ok = results.filter((r) => r.status === 200).length;
      const limited = results.filter((r) => r.status === 429);
      assert.equal(ok, 60);
      assert.equal(limited.length, 140);
      const r = limited[0]!;
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.equal(r.headers.get('ratelimit-limit'), '60');
      assert.equal(r.headers.get('ratelimit-remaining'), '0');
      assert.ok(Number(r.headers.get('ratelimit-reset')) >= 1);
      assert.equal(r.headers.get('ratelimit-policy'), '"api";q=60;w=60');
      const events = await eventsOf(t.jarvis, [HTTP_TOPIC]);
      assert.equal(events.filter((e) => e.type === 'jarvis.http.rate_limit_exceeded.v1').length, 140);
    } finally {
      await t.close();
    }
  });

  it('counts down RateLimit-Remaining on successful answers', async () => {
    const t = await startTestJarvis({ JARVIS_RATE_LIMIT_API: '5/min' });
    try {
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await t.fetch('/status', { key: KEYS.read });
        remaining.push(r.headers.get('ratelimit-remaining') ?? '');
      }
      assert.deepEqual(remaining, ['4', '3', '2']);
    } finally {
      await t.close();
    }
  });

  it('charges failed authentications to the client IP and never limits /health', async () => {
    const t = await startTestJarvis({ JARVIS_RATE_LIMIT_API: '5/min' });
    try {
      for (let i = 0; i < 5; i++) assert.equal((await t.fetch('/status', { key: 'wrong-key-wrong-key-wrong' })).status, 401);
      assert.equal((await t.fetch('/status', { key: KEYS.read })).status, 429);
      for (let i = 0; i < 10; i++) assert.equal((await t.fetch('/health')).status, 200);
    } finally {
      await t.close();
    }
  });

  it('limits a principal across client IPs behind a trusted proxy', async () => {
    const t = await startTestJarvis({ JARVIS_RATE_LIMIT_API: '3/min', JARVIS_TRUSTED_PROXIES: '127.0.0.1' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await t.fetch('/status', { key: KEYS.read, headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } })).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
    } finally {
      await t.close();
    }
  });
});
