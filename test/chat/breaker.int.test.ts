/**
 * The circuit breaker, on a frozen clock: it opens after N consecutive failures (the provider
 * is then not called at all), lets one probe through after the cool-down (half-open), closes on
 * its success and re-opens on its failure; /status shows each step.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../src/shared/errors.ts';
import { chatHarness } from '../support/chat-harness.ts';

const ENV = { JARVIS_CHAT_TIMEOUT: '500ms', JARVIS_CHAT_BREAKER_FAILURES: '2', JARVIS_CHAT_BREAKER_COOLDOWN: '30s', JARVIS_CHAT_PROBE_TTL: '10s' };

async function fails(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    assert.ok(isAppError(err));
    return err;
  }
  assert.fail('expected a rejection');
}

const local = (h: { service: { providers(): { name: string; breaker: string; available: boolean }[] } }) => h.service.providers().find((p) => p.name === 'local')!;

describe('circuit breaker per provider', { timeout: 30_000 }, () => {
  it('opens after consecutive failures, then stops calling the provider and says when to retry', async () => {
    const h = await chatHarness({ local: { faults: ['server_error', 'server_error'] }, env: ENV });
    try {
      await fails(h.service.chat({ text: 'one' }, h.ctx()));
      assert.equal(local(h).breaker, 'closed', 'one failure is not enough');
      await fails(h.service.chat({ text: 'two' }, h.ctx()));
      assert.equal(local(h).breaker, 'open');
      assert.equal(local(h).available, false);
      const calls = h.local!.requests.length;
      const err = await fails(h.service.chat({ text: 'three' }, h.ctx()));
      assert.equal(h.local!.requests.length, calls, 'an open breaker does not call the provider');
      assert.equal(err.status, 503);
      assert.equal(err.headers['Retry-After'], '30');
      h.clock.advance(20_000);
      assert.equal((await fails(h.service.chat({ text: 'four' }, h.ctx()))).headers['Retry-After'], '10');
    } finally {
      await h.close();
    }
  });

  it('half-opens after the cool-down, lets one probe through, and closes when it succeeds', async () => {
    const h = await chatHarness({ local: { faults: ['server_error', 'server_error'] }, env: ENV });
    try {
      await fails(h.service.chat({ text: 'one' }, h.ctx()));
      await fails(h.service.chat({ text: 'two' }, h.ctx()));
      h.clock.advance(30_000);
      assert.equal(local(h).breaker, 'half_open');
      const res = await h.service.chat({ text: 'probe' }, h.ctx());
      assert.equal(res.provider, 'local');
      assert.equal(local(h).breaker, 'closed');
      assert.deepEqual(h.breakerChanges.filter(([p]) => p === 'local').map(([, s]) => s), ['open', 'half_open', 'closed']);
    } finally {
      await h.close();
    }
  });

  it('re-opens at once when the half-open probe fails', async () => {
    const h = await chatHarness({ local: { faults: ['server_error', 'server_error', 'overloaded'] }, env: ENV });
    try {
      await fails(h.service.chat({ text: 'one' }, h.ctx()));
      await fails(h.service.chat({ text: 'two' }, h.ctx()));
      h.clock.advance(30_000);
      await fails(h.service.chat({ text: 'probe' }, h.ctx()));
      assert.equal(local(h).breaker, 'open');
      h.clock.advance(29_000);
      assert.equal(local(h).breaker, 'open', 'a full cool-down again');
    } finally {
      await h.close();
    }
  });

  it('lets only one probe through while half-open; concurrent requests fall back', async () => {
    const h = await chatHarness({ local: { faults: ['server_error', 'server_error'], chunkDelayMs: 0 }, anthropic: {}, env: { ...ENV, JARVIS_CHAT_PROVIDERS: 'local,anthropic' } });
    try {
      await h.service.chat({ text: 'one' }, h.ctx());
      await h.service.chat({ text: 'two' }, h.ctx());
      assert.equal(local(h).breaker, 'open');
      const open = await h.service.chat({ text: 'skipped' }, h.ctx());
      assert.equal(open.provider, 'anthropic');
      const completed = h.publisher.ofType('jarvis.chat.chat_completed.v1').at(-1)!;
      assert.deepEqual((completed.data as { fallbacks: unknown }).fallbacks, [{ provider: 'local', reason: 'circuit_open' }]);
      h.clock.advance(30_000);
      const before = h.local!.requests.length;
      const both = await Promise.all([h.service.chat({ text: 'a' }, h.ctx()), h.service.chat({ text: 'b' }, h.ctx())]);
      assert.equal(h.local!.requests.length - before, 1, 'exactly one probe reached the provider');
      assert.deepEqual(both.map((r) => r.provider).sort(), ['anthropic', 'local']);
    } finally {
      await h.close();
    }
  });

  it('reports real availability from a cached probe: a server that went away becomes unavailable', async () => {
    const h = await chatHarness({ local: {}, anthropic: {}, env: ENV });
    try {
      const first = await h.service.checkProviders();
      assert.deepEqual(first.map((p) => [p.name, p.configured, p.available, p.breaker]), [
        ['local', true, true, 'closed'],
        ['anthropic', true, true, 'closed'],
        ['deepseek', false, false, 'closed'],
      ]);
      const probes = h.local!.requests.filter((r) => r.path === '/v1/models').length;
      assert.equal(probes, 1);
      await h.service.checkProviders();
      assert.equal(h.local!.requests.filter((r) => r.path === '/v1/models').length, 1, 'cached within the TTL');
      await h.local!.close();
      h.clock.advance(10_000);
      const later = await h.service.checkProviders();
      assert.equal(later.find((p) => p.name === 'local')!.available, false);
      assert.equal(later.find((p) => p.name === 'local')!.breaker, 'closed', 'a probe does not trip the breaker');
      assert.equal(later.find((p) => p.name === 'anthropic')!.available, true);
    } finally {
      await h.close();
    }
  });
});
