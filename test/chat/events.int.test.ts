/**
 * Every chat turn is on the event log: requested, then completed or failed, keyed by the
 * conversation, correlated with the request; provider, model, latency, time to first token,
 * usage and fallbacks recorded; prompt and answer texts only with JARVIS_LOG_CONTENT=true.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatHarness, collect } from '../support/chat-harness.ts';

const PROMPT = 'Please remind me of my bank PIN 4711';
const REPLY = 'Your reminder is noted in a safe place.';

describe('chat events', { timeout: 30_000 }, () => {
  it('records a completed turn with provider, model, usage and fallbacks, and no text by default', async () => {
    const h = await chatHarness({ anthropic: { faults: ['overloaded'], reply: REPLY }, local: { reply: REPLY }, env: { JARVIS_CHAT_PROVIDERS: 'anthropic,local' } });
    try {
      const ctx = h.ctx('env-7');
      const res = await h.service.chat({ text: PROMPT }, ctx);
      const [requested, completed] = h.publisher.events;
      assert.equal(h.publisher.events.length, 2);
      assert.equal(requested!.type, 'jarvis.chat.chat_requested.v1');
      assert.deepEqual(requested!.data, { request_id: ctx.requestId, conversation_id: res.conversation_id, principal: 'env-7', provider_requested: null, characters: PROMPT.length });
      assert.equal(completed!.type, 'jarvis.chat.chat_completed.v1');
      const d = completed!.data as Record<string, unknown>;
      assert.equal(d.provider, 'local');
      assert.equal(d.model, 'llama3.2');
      assert.equal(d.streamed, false);
      assert.equal(d.time_to_first_token_ms, null);
      assert.ok(typeof d.latency_ms === 'number' && d.latency_ms >= 0);
      assert.ok((d.input_tokens as number) > 0 && (d.output_tokens as number) > 0);
      assert.deepEqual(d.fallbacks, [{ provider: 'anthropic', reason: 'overloaded' }]);
      for (const e of h.publisher.events) {
        assert.equal(e.requestid, ctx.requestId);
        assert.equal(e.actorid, 'env-7');
        assert.equal(e.traceparent, ctx.traceparent);
      }
      assert.deepEqual(h.publisher.metas.map((m) => m.key), [res.conversation_id, res.conversation_id]);
      const all = JSON.stringify(h.publisher.events);
      assert.ok(!all.includes('4711') && !all.includes('reminder'), 'no prompt or answer text in events');
    } finally {
      await h.close();
    }
  });

  it('records time to first token for a streamed turn', async () => {
    const h = await chatHarness({ local: { reply: REPLY, chunkDelayMs: 5 } });
    try {
      await collect(h.service.stream({ text: PROMPT }, h.ctx()));
      const d = h.publisher.ofType('jarvis.chat.chat_completed.v1')[0]!.data as Record<string, number | boolean>;
      assert.equal(d.streamed, true);
      assert.ok((d.time_to_first_token_ms as number) >= 0 && (d.time_to_first_token_ms as number) <= (d.latency_ms as number));
      assert.ok((d.output_tokens as number) > 0);
    } finally {
      await h.close();
    }
  });

  it('records a failed turn with its error code and every fallback taken', async () => {
    const h = await chatHarness({ anthropic: { faults: ['server_error'] }, local: { faults: ['rate_limited'] }, env: { JARVIS_CHAT_BREAKER_FAILURES: '100' } });
    try {
      await assert.rejects(h.service.chat({ text: PROMPT }, h.ctx()));
      const failed = h.publisher.ofType('jarvis.chat.chat_failed.v1');
      assert.equal(failed.length, 1);
      const d = failed[0]!.data as Record<string, unknown>;
      assert.equal(d.error_code, 'ERR_CHAT_PROVIDERS_UNAVAILABLE');
      assert.deepEqual(d.fallbacks, [{ provider: 'local', reason: 'rate_limited' }, { provider: 'anthropic', reason: 'server_error' }]);
      assert.ok(!JSON.stringify(h.publisher.events).includes('4711'));
    } finally {
      await h.close();
    }
  });

  it('includes the texts when JARVIS_LOG_CONTENT=true', async () => {
    const h = await chatHarness({ local: { reply: REPLY }, env: { JARVIS_LOG_CONTENT: 'true' } });
    try {
      await h.service.chat({ text: PROMPT }, h.ctx());
      assert.equal((h.publisher.ofType('jarvis.chat.chat_requested.v1')[0]!.data as { text?: string }).text, PROMPT);
      assert.equal((h.publisher.ofType('jarvis.chat.chat_completed.v1')[0]!.data as { text?: string }).text, REPLY);
    } finally {
      await h.close();
    }
  });
});
