/** Each provider, through its real SDK, against a stand-in speaking its wire protocol. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ANTHROPIC_TEST_KEY, chatHarness, collect, DEEPSEEK_TEST_KEY, type Harness } from '../support/chat-harness.ts';

const REPLY = 'Good evening. The weather is mild today.';

describe('chat providers through their real SDKs', { timeout: 30_000 }, async () => {
  const h: Harness = await chatHarness({ anthropic: { reply: REPLY }, deepseek: { reply: REPLY }, local: { reply: REPLY } });
  after(() => h.close());

  for (const provider of ['anthropic', 'deepseek', 'local'] as const) {
    it(`${provider} answers a chat with the reply, its model and token usage`, async () => {
      const res = await h.service.chat({ text: 'How is the weather?', provider }, h.ctx());
      assert.equal(res.response, REPLY);
      assert.equal(res.provider, provider);
      assert.equal(res.model, { anthropic: 'claude-sonnet-5-5', deepseek: 'deepseek-chat', local: 'llama3.2' }[provider]);
      assert.ok(res.usage && res.usage.input_tokens! > 0 && res.usage.output_tokens! > 0);
      assert.match(res.conversation_id, /^[A-Za-z0-9_-]{1,64}$/);
    });

    it(`${provider} streams the reply as ordered deltas, then a done event with usage`, async () => {
      const { deltas, done } = await collect(h.service.stream({ text: 'How is the weather?', provider }, h.ctx()));
      assert.ok(deltas.length > 1, 'more than one delta');
      assert.equal(deltas.join(''), REPLY);
      assert.equal(done?.type, 'done');
      assert.ok(done?.type === 'done' && done.provider === provider && done.usage!.output_tokens! > 0);
    });
  }

  it('sends the system prompt, the model and the keys the way each API expects', async () => {
    const a = h.anthropic!.requests.find((r) => r.path === '/v1/messages')!;
    assert.ok(a.headers['x-api-key'] === ANTHROPIC_TEST_KEY || a.headers.authorization === `Bearer ${ANTHROPIC_TEST_KEY}`);
    assert.ok(typeof a.headers['anthropic-version'] === 'string');
    const ab = a.body as { system: string; model: string; max_tokens: number; messages: unknown[] };
    assert.match(ab.system, /Jarvis/);
    assert.equal(ab.model, 'claude-sonnet-5-5');
    assert.equal(a.headers['x-stainless-retry-count'], '0');
    assert.deepEqual(ab.messages, [{ role: 'user', content: 'How is the weather?' }]);
    const d = h.deepseek!.requests.find((r) => r.path.endsWith('/chat/completions'))!;
    assert.equal(d.headers.authorization, `Bearer ${DEEPSEEK_TEST_KEY}`);
    const db = d.body as { messages: { role: string }[] };
    assert.equal(db.messages[0]!.role, 'system');
  });

  it('asks OpenAI-compatible servers for the usage chunk when streaming', () => {
    const streamed = h.local!.requests.find((r) => (r.body as { stream?: boolean }).stream === true)!;
    assert.deepEqual((streamed.body as { stream_options: unknown }).stream_options, { include_usage: true });
  });
});
