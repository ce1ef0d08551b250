/**
 * When no provider can answer, the caller gets a clear AppError (status, code, Retry-After)
 * whose text names no library, URL or key, within a bounded time; a client that goes away
 * cancels the upstream call.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../src/shared/errors.ts';
import { ANTHROPIC_TEST_KEY, chatHarness, collect } from '../support/chat-harness.ts';

const FAST = { JARVIS_CHAT_TIMEOUT: '400ms', JARVIS_CHAT_BREAKER_FAILURES: '1000' };

async function rejection(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    assert.ok(isAppError(err), `an AppError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

/** Nothing a client sees may name the SDKs, the upstream address or a key. */
function assertNothingLeaks(err: { message: string; detail: string | undefined; title: string }, url: string) {
  const text = `${err.title} ${err.detail ?? ''} ${err.message}`;
  for (const bad of [url, '127.0.0.1', 'anthropic-ai', 'openai', 'sdk', 'undici', 'fetch', ANTHROPIC_TEST_KEY, 'http']) {
    assert.ok(!text.toLowerCase().includes(bad.toLowerCase()), `"${bad}" leaked into: ${text}`);
  }
}

describe('chat errors', { timeout: 30_000 }, () => {
  it('answers 503 ERR_CHAT_NO_PROVIDER naming the variables to set when nothing is configured', async () => {
    const h = await chatHarness();
    try {
      const err = await rejection(h.service.chat({ text: 'hi' }, h.ctx()));
      assert.equal(err.code, 'ERR_CHAT_NO_PROVIDER');
      assert.equal(err.status, 503);
      for (const v of ['JARVIS_LOCAL_LLM_URL', 'ANTHROPIC_API_KEY', 'DEEPSEEK_API_KEY']) assert.match(err.detail!, new RegExp(v));
      assert.deepEqual(h.service.providers().map((p) => [p.name, p.configured, p.available]), [['local', false, false], ['anthropic', false, false], ['deepseek', false, false]]);
      const streamErr = await rejection(collect(h.service.stream({ text: 'hi' }, h.ctx())));
      assert.equal(streamErr.code, 'ERR_CHAT_NO_PROVIDER');
    } finally {
      await h.close();
    }
  });

  it('refuses with 400 a provider that is not configured here', async () => {
    const h = await chatHarness({ local: {} });
    try {
      const err = await rejection(h.service.chat({ text: 'hi', provider: 'deepseek' }, h.ctx()));
      assert.equal(err.code, 'ERR_CHAT_PROVIDER_NOT_CONFIGURED');
      assert.equal(err.status, 400);
    } finally {
      await h.close();
    }
  });

  it('answers 502 with Retry-After when every provider fails with a server error, leaking nothing', async () => {
    const h = await chatHarness({ anthropic: { faults: ['server_error'] }, local: { faults: ['server_error'] }, env: FAST });
    try {
      const err = await rejection(h.service.chat({ text: 'hi' }, h.ctx()));
      assert.equal(err.code, 'ERR_CHAT_PROVIDERS_UNAVAILABLE');
      assert.equal(err.status, 502);
      assert.ok(Number(err.headers['Retry-After']) >= 1);
      assert.match(err.detail!, /local failed, anthropic failed/);
      assertNothingLeaks(err, h.local!.url);
    } finally {
      await h.close();
    }
  });

  it('answers 503 with the upstream Retry-After when every provider is rate limited or overloaded', async () => {
    const h = await chatHarness({ anthropic: { faults: ['overloaded'], retryAfterSeconds: 12 }, local: { faults: ['rate_limited'], retryAfterSeconds: 7 }, env: FAST });
    try {
      const err = await rejection(h.service.chat({ text: 'hi' }, h.ctx()));
      assert.equal(err.code, 'ERR_CHAT_PROVIDERS_UNAVAILABLE');
      assert.equal(err.status, 503);
      assert.equal(err.headers['Retry-After'], '12');
      assertNothingLeaks(err, h.anthropic!.url);
    } finally {
      await h.close();
    }
  });

  it('answers 504 ERR_CHAT_TIMEOUT when every provider hangs, within the configured bounds', async () => {
    const h = await chatHarness({ anthropic: { faults: ['hang'] }, local: { faults: ['hang'] }, env: FAST });
    try {
      const started = performance.now();
      const err = await rejection(h.service.chat({ text: 'hi' }, h.ctx()));
      const took = performance.now() - started;
      assert.equal(err.code, 'ERR_CHAT_TIMEOUT');
      assert.equal(err.status, 504);
      assert.ok(took >= 700 && took < 2500, `two attempts of 400 ms, took ${Math.round(took)} ms`);
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(h.local!.requests[0]!.aborted && h.anthropic!.requests[0]!.aborted, 'the hanging upstream calls were abandoned');
    } finally {
      await h.close();
    }
  });

  it('bounds the whole turn by JARVIS_CHAT_TOTAL_TIMEOUT across fallbacks', async () => {
    const h = await chatHarness({
      anthropic: { faults: ['hang'] },
      local: { faults: ['hang'] },
      deepseek: { faults: ['hang'] },
      env: { ...FAST, JARVIS_CHAT_TIMEOUT: '400ms', JARVIS_CHAT_TOTAL_TIMEOUT: '600ms' },
    });
    try {
      const started = performance.now();
      const err = await rejection(h.service.chat({ text: 'hi' }, h.ctx()));
      assert.equal(err.status, 504);
      assert.ok(performance.now() - started < 1200);
      assert.equal(h.deepseek!.requests.length, 0, 'no time left for the third provider');
    } finally {
      await h.close();
    }
  });

  it('a client that disconnects cancels the upstream call and no fallback is tried', async () => {
    const h = await chatHarness({ local: { faults: ['hang'] }, anthropic: {}, env: { JARVIS_CHAT_TIMEOUT: '10s' } });
    try {
      const client = new AbortController();
      const pending = rejection(h.service.chat({ text: 'hi' }, h.ctx('env-1', client.signal)));
      await new Promise((r) => setTimeout(r, 100));
      const started = performance.now();
      client.abort();
      const err = await pending;
      assert.equal(err.code, 'ERR_CHAT_CANCELLED');
      assert.ok(performance.now() - started < 500, 'promptly');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(h.local!.requests[0]!.aborted, true, 'upstream request was cancelled');
      assert.equal(h.anthropic!.requests.length, 0, 'no fallback for a client that left');
      const failed = h.publisher.ofType('jarvis.chat.chat_failed.v1');
      assert.equal((failed[0]!.data as { error_code: string }).error_code, 'ERR_CHAT_CANCELLED');
    } finally {
      await h.close();
    }
  });

  it('a stream cut after text was sent ends in ERR_CHAT_STREAM_INTERRUPTED without a fallback', async () => {
    const h = await chatHarness({ local: { reply: 'One two three four five six.', faults: ['cut_after_text'] }, anthropic: {}, env: FAST });
    try {
      const deltas: string[] = [];
      const err = await rejection(
        (async () => {
          for await (const ev of h.service.stream({ text: 'hi' }, h.ctx())) if (ev.type === 'delta') deltas.push(ev.text);
        })(),
      );
      assert.equal(err.code, 'ERR_CHAT_STREAM_INTERRUPTED');
      assert.equal(err.status, 502);
      assert.ok(deltas.length > 0 && 'One two three four five six.'.startsWith(deltas.join('')));
      assert.equal(h.anthropic!.requests.length, 0);
    } finally {
      await h.close();
    }
  });

  it('a provider that goes silent after text ends the stream with ERR_CHAT_STREAM_INTERRUPTED after the timeout', async () => {
    const h = await chatHarness({ local: { reply: 'One two three four five six.', faults: ['stall_after_text'] }, env: FAST });
    try {
      const deltas: string[] = [];
      const started = performance.now();
      const err = await rejection(
        (async () => {
          for await (const ev of h.service.stream({ text: 'hi' }, h.ctx())) if (ev.type === 'delta') deltas.push(ev.text);
        })(),
      );
      assert.equal(err.code, 'ERR_CHAT_STREAM_INTERRUPTED');
      assert.ok(deltas.length > 0);
      assert.ok(performance.now() - started < 1500, 'bounded by the 400 ms silence timeout');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(h.local!.requests[0]!.aborted, true);
    } finally {
      await h.close();
    }
  });

  it('a slow reader of the stream is not mistaken for a silent provider', async () => {
    const h = await chatHarness({ local: { reply: 'One two three.' }, env: { ...FAST, JARVIS_CHAT_TIMEOUT: '200ms' } });
    try {
      const deltas: string[] = [];
      for await (const ev of h.service.stream({ text: 'hi' }, h.ctx())) {
        if (ev.type === 'delta') deltas.push(ev.text);
        await new Promise((r) => setTimeout(r, 300)); // longer than the timeout, each time
      }
      assert.equal(deltas.join(''), 'One two three.');
    } finally {
      await h.close();
    }
  });

  it('a consumer that stops reading a stream cancels the upstream call and records the turn as cancelled', async () => {
    const h = await chatHarness({ local: { reply: 'a b c d e f g h i j k l m n o p', chunkDelayMs: 30 }, env: FAST });
    try {
      for await (const ev of h.service.stream({ text: 'hi' }, h.ctx())) {
        if (ev.type === 'delta') break;
      }
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(h.local!.requests[0]!.aborted, true);
      const failed = h.publisher.ofType('jarvis.chat.chat_failed.v1');
      assert.equal((failed[0]!.data as { error_code: string }).error_code, 'ERR_CHAT_CANCELLED');
      // the breaker holds no verdict against the provider
      assert.equal(h.service.providers()[0]!.breaker, 'closed');
    } finally {
      await h.close();
    }
  });
});
