/**
 * When Kafka goes away, the API keeps answering without failing open: /ready says which part is
 * down, rate limits are enforced from this instance's share (and the degradation is a metric and
 * an event), every event waits in the outbox, and all of them arrive once the broker is back.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { HTTP_TOPIC } from '../../events/index.ts';
import { privateBroker } from '../support/eventlog-broker.ts';
import { eventsOf } from '../support/http-events.ts';
import { KEYS, startTestJarvis } from '../support/http-jarvis.ts';
import { exitWhenDone } from '../support/exit-guard.ts';
import { findLeaks } from '../security/leaks.ts';

exitWhenDone();

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not within ${timeoutMs} ms`);
}

describe('event log outage', { skip: process.env.KAFKA_BROKERS ? false : 'runs with the Kafka suite (npm test)', timeout: 240_000 }, () => {
  it('degrades without failing open and loses no event', async () => {
    const broker = await privateBroker('api-outage');
    await broker.start();
    const t = await startTestJarvis({ KAFKA_BROKERS: broker.brokers.join(','), JARVIS_TOPIC_PREFIX: `o${randomUUID().slice(0, 6)}.`, JARVIS_RATE_LIMIT_API: '40/min' });
    try {
      const requestIds: string[] = [];
      const call = async () => {
        const r = await t.fetch('/status', { key: KEYS.read });
        await r.arrayBuffer();
        requestIds.push(r.headers.get('x-request-id')!);
        return r.status;
      };
      for (let i = 0; i < 5; i++) assert.equal(await call(), 200);
      await broker.stop();
      await until(async () => (await t.fetch('/ready')).status === 503, 30_000);
      const notReady = await t.fetch('/ready');
      assert.equal(notReady.headers.get('content-type'), 'application/problem+json');
      const ready = (await notReady.json()) as { parts: Record<string, { ok: boolean }>; request_id: string };
      assert.equal(ready.parts.event_log!.ok, false);
      // Public: the part is named, the broker's address and the client's error are not (the server log has them).
      const text = JSON.stringify(ready);
      assert.deepEqual(findLeaks(text), []);
      for (const b of broker.brokers) assert.ok(!text.includes(b), `/ready names the broker ${b}`);
      assert.equal(ready.request_id, notReady.headers.get('x-request-id'));
      await until(async () => /jarvis_ratelimit_degraded 1/.test(await (await fetch(t.jarvis.metricsUrl!)).text()), 10_000);
      // Still answering, still limited: 40 per minute in all, 5 already spent.
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push(await call());
      assert.equal(statuses.filter((s) => s === 200).length, 35);
      assert.ok(statuses.slice(35).every((s) => s === 429));
      assert.ok(t.jarvis.publisher.stats().outboxDepth > 0, 'events wait in the outbox');
      await broker.start();
      await until(async () => (await t.fetch('/ready')).status === 200, 60_000);
      const events = await eventsOf(t.jarvis, [HTTP_TOPIC], 1000);
      const completed = new Set(events.filter((e) => e.type === 'jarvis.http.request_completed.v1').map((e) => (e.data as { request_id: string }).request_id));
      for (const id of requestIds) assert.ok(completed.has(id), `request ${id} reached the log`);
      assert.ok(events.some((e) => e.type === 'jarvis.http.rate_limit_degraded.v1' && (e.data as { state: string }).state === 'degraded'));
      assert.ok(events.some((e) => e.type === 'jarvis.http.rate_limit_degraded.v1' && (e.data as { state: string }).state === 'recovered'));
    } finally {
      await t.close();
      await broker.destroy();
    }
  });
});
