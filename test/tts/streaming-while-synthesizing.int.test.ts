/**
 * Audio reaches the client while it is synthesized: the first chunk of a long text arrives
 * long before the last, chunks have exactly the size asked for, a slow reader holds the
 * synthesis back (bounded memory), and text arriving piece by piece starts speaking at its
 * first sentence.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseTtsConfig } from '../../src/config/tts.ts';
import { createEngine } from '../../src/tts/engines/index.ts';
import type { TtsService } from '../../src/tts/service.ts';
import { parseWav } from '../../src/tts/wav.ts';
import { ctxFor, LONG_TEXT, receive, ttsService } from '../support/tts-audio.ts';
import { countingEngine, type CountingEngine } from '../support/tts-counting-engine.ts';
import type { RecordingPublisher } from '../support/tts-recording-publisher.ts';

describe('streaming with Piper', () => {
  let svc: TtsService;
  let pub: RecordingPublisher;
  let engine: CountingEngine;
  before(async () => {
    engine = countingEngine(createEngine(parseTtsConfig({ JARVIS_TTS_ENGINE: 'piper', JARVIS_TTS_POOL: '2' })));
    ({ svc, pub } = await ttsService('piper', {}, { engine }));
  });
  after(async () => { await svc.close(); });

  it('sends the first chunk of a long text long before synthesis ends', async () => {
    const text = `${LONG_TEXT} ${LONG_TEXT}`;
    const t0 = performance.now();
    const res = await svc.speak({ text }, ctxFor());
    const got: number[] = [];
    let completedAtFirst: boolean | undefined;
    let synthesizedAtFirst = 0;
    for await (const c of res.stream) {
      if (got.length === 0) {
        completedAtFirst = pub.typesFor(res.jobId).includes('jarvis.tts.job_completed.v1');
        synthesizedAtFirst = engine.done;
      }
      got.push(performance.now() - t0);
      void c;
    }
    const first = got[0]!;
    const last = got.at(-1)!;
    assert.equal(completedAtFirst, false);
    assert.ok(synthesizedAtFirst <= 2, `only the first sentence(s) were synthesized at the first chunk (${synthesizedAtFirst} of ${engine.calls.length})`);
    assert.ok(first < last / 3, `first chunk at ${first.toFixed(0)} ms, last at ${last.toFixed(0)} ms`);
    const types = pub.typesFor(res.jobId);
    assert.deepEqual(types, ['jarvis.tts.job_requested.v1', 'jarvis.tts.job_started.v1', 'jarvis.tts.first_audio.v1', 'jarvis.tts.job_completed.v1']);
    const done = pub.events.find((e) => e.meta.key === res.jobId && e.envelope.type === 'jarvis.tts.job_completed.v1')!;
    const data = done.envelope.data as { characters: number; audio_seconds: number; synthesis_seconds: number; time_to_first_byte_ms: number; engine: string; voice: string };
    assert.equal(data.characters, text.length);
    assert.equal(data.engine, 'piper');
    assert.equal(data.voice, 'en_US-joe-medium');
    assert.ok(data.audio_seconds > 20 && data.synthesis_seconds < data.audio_seconds, JSON.stringify(data));
    assert.equal(done.envelope.requestid, done.meta.requestId);
  });

  it('cuts the audio into chunks of exactly chunk_size bytes, the last one shorter', async () => {
    for (const size of [512, 8192, 65536]) {
      const { chunks, bytes } = await receive((await svc.speak({ text: LONG_TEXT, chunkSize: size }, ctxFor())).stream);
      assert.ok(chunks.length > 2, `${chunks.length} chunks`);
      for (const c of chunks.slice(0, -1)) assert.equal(c.length, size);
      assert.ok(chunks.at(-1)!.length <= size && chunks.at(-1)!.length > 0);
      parseWav(bytes);
    }
  });

  it('holds synthesis back while the client does not read (memory stays bounded)', async () => {
    const text = Array.from({ length: 4 }, () => LONG_TEXT).join(' '); // ~24 sentences, ~70 s of speech
    const before = engine.calls.length;
    const res = await svc.speak({ text, chunkSize: 4096 }, ctxFor());
    await sleep(2500); // Piper could synthesize all of it in this time if nothing held it back
    const asked = engine.calls.length - before;
    assert.ok(asked <= 8, `only a few sentences ahead of the reader (${asked} of ~24)`);
    // What waits for the reader: about one sentence of audio plus the stream buffers.
    const buffered = res.stream.readableLength * 4096;
    assert.ok(buffered < 1.5 * 1024 * 1024, `bounded buffer (${buffered} bytes)`);
    // Reading resumes the synthesis.
    let read = 0;
    for await (const c of res.stream) {
      read += (c as Buffer).length;
      if (read > 2_000_000) break; // well past what was buffered: synthesis went on
    }
    assert.ok(read > 2_000_000);
    assert.ok(engine.calls.length - before > asked);
  });

  it('starts speaking text that arrives piece by piece at its first complete sentence', async () => {
    const job = svc.speakIncremental({}, ctxFor());
    const chunks: Buffer[] = [];
    const firstChunk = new Promise<void>((resolve) => job.stream.once('data', () => resolve()));
    job.stream.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise((resolve) => job.stream.once('end', resolve));
    job.push('Here is the answer');
    job.push(' you asked for. It comes');
    // The rest of the answer is not written until audio has been heard: if speech waited for
    // the whole text, this would never resolve.
    await firstChunk;
    job.push(' in pieces, as a model writes it.');
    job.end();
    await ended;
    assert.ok(parseWav(Buffer.concat(chunks)).data.length / 2 / 22050 > 3);
    const done = await pub.waitFor('jarvis.tts.job_completed.v1', job.jobId);
    assert.equal((done.data as { characters: number }).characters, 'Here is the answer you asked for. It comes in pieces, as a model writes it.'.length);
  });

  it('accepts text as an async iterable of deltas (the HTTP layer\'s chat path)', async () => {
    async function* answer() { yield 'One sentence. '; await sleep(50); yield 'And another one.'; }
    const res = await svc.speak({ text: answer() }, ctxFor());
    const { bytes } = await receive(res.stream);
    assert.ok(parseWav(bytes).data.length / 2 / 22050 > 1.5);
  });
});
