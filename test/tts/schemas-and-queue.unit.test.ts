/** Request bodies are strict (no coercion, no unknown fields, bounded), and the queue is bounded. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createJobQueue } from '../../src/tts/queue.ts';
import { AudioStreamRequest, OpenAiSpeechRequest } from '../../src/tts/schemas.ts';

describe('AudioStreamRequest', () => {
  it('fills the defaults', () => {
    assert.deepEqual(AudioStreamRequest.parse({ text: 'Hi' }), { text: 'Hi', chunk_size: 8192, format: 'wav', speed: 1 });
  });
  const bad: Array<[string, unknown]> = [
    ['a chunk_size given as a string', { text: 'Hi', chunk_size: '8192' }],
    ['a fractional chunk_size', { text: 'Hi', chunk_size: 1000.5 }],
    ['a chunk_size below 512', { text: 'Hi', chunk_size: 511 }],
    ['a chunk_size above 65536', { text: 'Hi', chunk_size: 65537 }],
    ['an unknown format', { text: 'Hi', format: 'ogg' }],
    ['an unknown field', { text: 'Hi', lang: 'en' }],
    ['an empty text', { text: '' }],
    ['a text with nothing to say', { text: ' ... ' }],
    ['a text over 4096 characters', { text: 'a'.repeat(4097) }],
    ['a speed of 10', { text: 'Hi', speed: 10 }],
    ['a voice with a path in it', { text: 'Hi', voice: '../etc/passwd' }],
  ];
  for (const [what, body] of bad) it(`refuses ${what}`, () => assert.equal(AudioStreamRequest.safeParse(body).success, false));
});

describe('OpenAiSpeechRequest', () => {
  it("takes OpenAI's shape with its defaults (mp3, audio, speed 1)", () => {
    assert.deepEqual(OpenAiSpeechRequest.parse({ model: 'gpt-4o-mini-tts', input: 'Hi', voice: 'coral' }), {
      model: 'gpt-4o-mini-tts', input: 'Hi', voice: 'coral', response_format: 'mp3', speed: 1, stream_format: 'audio',
    });
    assert.equal(OpenAiSpeechRequest.safeParse({ model: 'tts-1', input: 'Hi', voice: { id: 'voice_123' } }).success, true);
  });
  const bad: Array<[string, unknown]> = [
    ['a missing voice', { model: 'tts-1', input: 'Hi' }],
    ['an input over 4096 characters', { model: 'tts-1', input: 'a'.repeat(4097), voice: 'alloy' }],
    ['speed 0.2', { model: 'tts-1', input: 'Hi', voice: 'alloy', speed: 0.2 }],
    ['speed 4.5', { model: 'tts-1', input: 'Hi', voice: 'alloy', speed: 4.5 }],
    ['response_format ogg', { model: 'tts-1', input: 'Hi', voice: 'alloy', response_format: 'ogg' }],
    ['stream_format chunked', { model: 'tts-1', input: 'Hi', voice: 'alloy', stream_format: 'chunked' }],
    ['an unknown field', { model: 'tts-1', input: 'Hi', voice: 'alloy', temperature: 1 }],
  ];
  for (const [what, body] of bad) it(`refuses ${what}`, () => assert.equal(OpenAiSpeechRequest.safeParse(body).success, false));
});

describe('createJobQueue', () => {
  it('runs `concurrency` jobs, keeps `max` waiting, refuses more, and moves on as jobs end', async () => {
    const q = createJobQueue(1, 1);
    const a = q.enter()!;
    const b = q.enter()!;
    assert.equal(q.enter(), undefined);
    let bStarted = false;
    void b.started.then(() => { bStarted = true; });
    await a.started;
    await Promise.resolve();
    assert.equal(bStarted, false);
    a.release();
    a.release(); // idempotent
    await b.started;
    assert.equal(q.active, 1);
    assert.equal(q.waiting, 0);
    b.release();
    assert.equal(q.active, 0);
  });

  it('frees the waiting place of a job that leaves before it starts', () => {
    const q = createJobQueue(1, 1);
    q.enter();
    const waiting = q.enter()!;
    waiting.release();
    assert.equal(q.waiting, 0);
    assert.ok(q.enter());
  });
});
