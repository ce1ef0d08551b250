/**
 * Every fault a provider can throw at us ends in a fallback to the next provider, recorded
 * with its reason, never in a crash or a hung request. Real SDKs, loopback stand-ins.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ChatFault } from '../support/chat-standin-common.ts';
import { chatHarness, collect, type Harness } from '../support/chat-harness.ts';

const REPLY = 'Fallback answer, safe and sound.';
const ENV = { JARVIS_CHAT_PROVIDERS: 'anthropic,local,deepseek', JARVIS_CHAT_TIMEOUT: '500ms', JARVIS_CHAT_BREAKER_FAILURES: '1000' };

// fault → the reason recorded for the provider that had it, per wire protocol and mode.
const CASES: { fault: ChatFault; anthropic: string; openai: string; modes: ('chat' | 'stream')[] }[] = [
  { fault: 'server_error', anthropic: 'server_error', openai: 'server_error', modes: ['chat', 'stream'] },
  { fault: 'rate_limited', anthropic: 'rate_limited', openai: 'rate_limited', modes: ['chat', 'stream'] },
  { fault: 'overloaded', anthropic: 'overloaded', openai: 'overloaded', modes: ['chat', 'stream'] },
  { fault: 'hang', anthropic: 'timeout', openai: 'timeout', modes: ['chat', 'stream'] },
  { fault: 'cut', anthropic: 'stream_cut', openai: 'stream_cut', modes: ['chat', 'stream'] },
  { fault: 'malformed', anthropic: 'malformed', openai: 'malformed', modes: ['chat', 'stream'] },
  { fault: 'stream_error', anthropic: 'overloaded', openai: 'server_error', modes: ['stream'] },
  { fault: 'unauthorized', anthropic: 'rejected', openai: 'rejected', modes: ['chat', 'stream'] },
];

describe('falling back to the next provider', { timeout: 60_000 }, async () => {
  const h: Harness = await chatHarness({ anthropic: { reply: REPLY }, local: { reply: REPLY }, deepseek: { reply: REPLY }, env: ENV });
  after(() => h.close());

  for (const c of CASES) {
    for (const mode of c.modes) {
      for (const [faulty, next, expected] of [['anthropic', 'local', c.anthropic], ['local', 'anthropic', c.openai]] as const) {
        it(`${faulty} ${c.fault} (${mode}) → answered by ${next}, fallback recorded as ${expected}`, async () => {
          h[faulty]!.faults.push(c.fault);
          const started = performance.now();
          const ctx = h.ctx();
          let provider: string;
          if (mode === 'chat') {
            const res = await h.service.chat({ text: 'Hello?', provider: faulty }, ctx);
            assert.equal(res.response, REPLY);
            provider = res.provider;
          } else {
            const { deltas, done } = await collect(h.service.stream({ text: 'Hello?', provider: faulty }, ctx));
            assert.equal(deltas.join(''), REPLY);
            assert.ok(done?.type === 'done');
            provider = done.provider;
          }
          assert.equal(provider, next);
          assert.ok(performance.now() - started < 3000, 'bounded in time');
          const completed = h.publisher.ofType('jarvis.chat.chat_completed.v1').find((e) => e.requestid === ctx.requestId)!;
          assert.deepEqual((completed.data as { fallbacks: unknown }).fallbacks, [{ provider: faulty, reason: expected }]);
          assert.equal(h[faulty]!.faults.length, 0, 'the fault was used');
        });
      }
    }
  }
});
