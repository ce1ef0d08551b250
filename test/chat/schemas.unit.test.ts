/** The POST /chat body: strict, no coercion, bounded. Bad inputs from a table. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatRequestSchema } from '../../src/chat/schemas.ts';

describe('POST /chat body', () => {
  it('accepts the documented fields', () => {
    const ok = { text: 'Hello', use_tts: true, stream_audio: false, provider: 'local', conversation_id: 'conv_Ab-9' };
    assert.deepEqual(ChatRequestSchema.parse(ok), ok);
    assert.deepEqual(ChatRequestSchema.parse({ text: 'x'.repeat(32_000) }).text.length, 32_000);
  });

  const BAD: [string, unknown, string][] = [
    ['missing text', {}, 'text'],
    ['empty text', { text: '' }, 'text'],
    ['text too long', { text: 'x'.repeat(32_001) }, 'text'],
    ['text as a number', { text: 42 }, 'text'],
    ['use_tts as a string', { text: 'hi', use_tts: 'true' }, 'use_tts'],
    ['stream_audio as 1', { text: 'hi', stream_audio: 1 }, 'stream_audio'],
    ['unknown provider', { text: 'hi', provider: 'openai' }, 'provider'],
    ['conversation id with a slash', { text: 'hi', conversation_id: '../etc' }, 'conversation_id'],
    ['conversation id too long', { text: 'hi', conversation_id: 'a'.repeat(65) }, 'conversation_id'],
    ['empty conversation id', { text: 'hi', conversation_id: '' }, 'conversation_id'],
    ['unknown field', { text: 'hi', model: 'gpt-4' }, ''],
    ['null body', null, ''],
  ];
  for (const [name, body, path] of BAD) {
    it(`rejects ${name}`, () => {
      const r = ChatRequestSchema.safeParse(body);
      assert.equal(r.success, false);
      if (path) assert.ok(r.error!.issues.some((i) => i.path.join('.') === path), JSON.stringify(r.error!.issues));
    });
  }
});
