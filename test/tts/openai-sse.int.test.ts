/** stream_format "sse": the audio arrives as base64 `speech.audio.delta` events, then `speech.audio.done`. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TtsService } from '../../src/tts/service.ts';
import { toSpeechSse } from '../../src/tts/sse.ts';
import { ctxFor, receive, ttsService } from '../support/tts-audio.ts';

describe('speech as Server-Sent Events (espeak-ng)', () => {
  let svc: TtsService;
  before(async () => { ({ svc } = await ttsService('espeak')); });
  after(async () => { await svc.close(); });

  it('carries exactly the bytes of the audio stream, then a done event', async () => {
    const direct = (await receive((await svc.speak({ text: 'Events, not a file.', format: 'pcm' }, ctxFor())).stream)).bytes;
    const res = await svc.speak({ text: 'Events, not a file.', format: 'pcm' }, ctxFor());
    const text = (await receive(toSpeechSse(res.stream))).bytes.toString('utf8');
    const events = text.trim().split('\n\n').map((e) => JSON.parse(e.replace(/^data: /, '')) as { type: string; audio?: string });
    assert.equal(events.at(-1)!.type, 'speech.audio.done');
    const deltas = events.slice(0, -1);
    assert.ok(deltas.length > 1 && deltas.every((e) => e.type === 'speech.audio.delta'));
    assert.deepEqual(Buffer.concat(deltas.map((e) => Buffer.from(e.audio!, 'base64'))), direct);
  });
});
