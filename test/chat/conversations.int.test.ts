/**
 * Conversation memory: a conversation_id carries the history to the provider, bounded; it
 * belongs to the principal that started it (anyone else gets 404, as for an unknown or expired
 * one); it is forgotten after the session idle time; the persona comes from configuration.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../src/shared/errors.ts';
import { chatHarness, collect } from '../support/chat-harness.ts';

type Body = { messages: { role: string; content: string }[]; system?: string };
const echo = { reply: (body: unknown) => `You said: ${(body as Body).messages.at(-1)!.content}` };

async function notFound(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    assert.ok(isAppError(err));
    assert.equal(err.code, 'ERR_CONVERSATION_NOT_FOUND');
    assert.equal(err.status, 404);
    return;
  }
  assert.fail('expected 404');
}

describe('conversations', { timeout: 30_000 }, () => {
  it('sends the earlier turns of a conversation with the next question, and a new id when none is given', async () => {
    const h = await chatHarness({ anthropic: echo });
    try {
      const first = await h.service.chat({ text: 'My name is Tony.' }, h.ctx());
      const second = await h.service.chat({ text: 'What is my name?', conversation_id: first.conversation_id }, h.ctx());
      assert.equal(second.conversation_id, first.conversation_id);
      const sent = h.anthropic!.requests.at(-1)!.body as Body;
      assert.deepEqual(sent.messages, [
        { role: 'user', content: 'My name is Tony.' },
        { role: 'assistant', content: 'You said: My name is Tony.' },
        { role: 'user', content: 'What is my name?' },
      ]);
      const other = await h.service.chat({ text: 'Hello' }, h.ctx());
      assert.notEqual(other.conversation_id, first.conversation_id);
    } finally {
      await h.close();
    }
  });

  it('streamed turns join the history too', async () => {
    const h = await chatHarness({ local: echo });
    try {
      const { done } = await collect(h.service.stream({ text: 'Remember seven.' }, h.ctx()));
      assert.ok(done?.type === 'done');
      await h.service.chat({ text: 'What number?', conversation_id: done.conversation_id }, h.ctx());
      const sent = h.local!.requests.at(-1)!.body as Body;
      assert.deepEqual(sent.messages.map((m) => m.role), ['system', 'user', 'assistant', 'user']);
      assert.equal(sent.messages[2]!.content, 'You said: Remember seven.');
    } finally {
      await h.close();
    }
  });

  it('answers 404 to another principal, to an unknown id and after the idle time, without calling a provider', async () => {
    const h = await chatHarness({ local: echo, env: { JARVIS_SESSION_IDLE_TIMEOUT: '30m' } });
    try {
      const mine = await h.service.chat({ text: 'secret plans' }, h.ctx('env-1'));
      const calls = h.local!.requests.length;
      await notFound(h.service.chat({ text: 'what were the plans?', conversation_id: mine.conversation_id }, h.ctx('env-2')));
      await notFound(collect(h.service.stream({ text: 'and now?', conversation_id: mine.conversation_id }, h.ctx('env-2'))));
      await notFound(h.service.chat({ text: 'hi', conversation_id: 'conv_doesnotexist' }, h.ctx('env-1')));
      assert.equal(h.local!.requests.length, calls);
      h.clock.advance(29 * 60_000);
      await h.service.chat({ text: 'still here', conversation_id: mine.conversation_id }, h.ctx('env-1'));
      h.clock.advance(30 * 60_000);
      await notFound(h.service.chat({ text: 'gone?', conversation_id: mine.conversation_id }, h.ctx('env-1')));
    } finally {
      await h.close();
    }
  });

  it('keeps at most JARVIS_CHAT_HISTORY_TURNS earlier turns, the newest ones', async () => {
    const h = await chatHarness({ local: echo, env: { JARVIS_CHAT_HISTORY_TURNS: '2' } });
    try {
      const { conversation_id } = await h.service.chat({ text: 'q1' }, h.ctx());
      for (const q of ['q2', 'q3', 'q4']) await h.service.chat({ text: q, conversation_id }, h.ctx());
      const sent = h.local!.requests.at(-1)!.body as Body;
      assert.deepEqual(sent.messages.filter((m) => m.role === 'user').map((m) => m.content), ['q2', 'q3', 'q4']);
    } finally {
      await h.close();
    }
  });

  it('gives the provider the persona from JARVIS_SYSTEM_PROMPT', async () => {
    const h = await chatHarness({ anthropic: echo, local: echo, env: { JARVIS_SYSTEM_PROMPT: 'You are Jarvis, dry and witty.' } });
    try {
      await h.service.chat({ text: 'hi', provider: 'anthropic' }, h.ctx());
      await h.service.chat({ text: 'hi', provider: 'local' }, h.ctx());
      assert.equal((h.anthropic!.requests.at(-1)!.body as Body).system, 'You are Jarvis, dry and witty.');
      assert.deepEqual((h.local!.requests.at(-1)!.body as Body).messages[0], { role: 'system', content: 'You are Jarvis, dry and witty.' });
    } finally {
      await h.close();
    }
  });
});
