/**
 * A client that goes away cancels the rest of its synthesis (TtsJobCancelled); an engine that
 * dies in the middle destroys the stream with an error, so the HTTP layer aborts the
 * connection instead of ending a file that looks whole (TtsJobFailed); the pool recovers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseTtsConfig } from '../../src/config/tts.ts';
import { createEmbeddedEngine } from '../../src/tts/engines/embedded.ts';
import { createPiperEngine } from '../../src/tts/engines/piper.ts';
import type { TtsService } from '../../src/tts/service.ts';
import { parseWav } from '../../src/tts/wav.ts';
import { ctxFor, LONG_TEXT, receive, ttsService } from '../support/tts-audio.ts';
import { countingEngine } from '../support/tts-counting-engine.ts';
import type { RecordingPublisher } from '../support/tts-recording-publisher.ts';

const TEXT = `${LONG_TEXT} ${LONG_TEXT} ${LONG_TEXT}`;

describe('cancellation and failure with Piper', () => {
  const piper = createPiperEngine({ poolSize: 2, python: parseTtsConfig({}).piperPython });
  const engine = countingEngine(piper);
  let svc: TtsService;
  let pub: RecordingPublisher;
  before(async () => { ({ svc, pub } = await ttsService('piper', {}, { engine })); });
  after(async () => { await svc.close(); });

  it('stops synthesizing when the request is aborted after the first chunk', async () => {
    const abort = new AbortController();
    const res = await svc.speak({ text: TEXT }, ctxFor(abort.signal));
    const callsBefore = engine.calls.length;
    const closed = new Promise((resolve) => res.stream.once('close', resolve));
    for await (const _ of res.stream) {
      abort.abort();
      break;
    }
    await closed;
    const cancelled = await pub.waitFor('jarvis.tts.job_cancelled.v1', res.jobId);
    const askedAtCancel = engine.calls.length - callsBefore;
    await sleep(800);
    assert.equal(engine.calls.length - callsBefore, askedAtCancel, 'no sentence is started after the cancel');
    assert.ok(askedAtCancel < 6, `${askedAtCancel} of ~18 sentences were asked for`);
    assert.ok((cancelled.data as { audio_seconds_sent: number }).audio_seconds_sent > 0);
    assert.ok(!pub.typesFor(res.jobId).includes('jarvis.tts.job_completed.v1'));
  });

  it('cancels when the client simply goes away (the stream is destroyed)', async () => {
    const res = await svc.speak({ text: TEXT }, ctxFor());
    res.stream.once('data', () => res.stream.destroy());
    res.stream.resume();
    await pub.waitFor('jarvis.tts.job_cancelled.v1', res.jobId);
    assert.deepEqual(svc.status().queue, { active: 0, waiting: 0, concurrency: 2, max: 32 }, 'its slot is free again');
  });

  it('destroys the stream with an error and publishes TtsJobFailed when the engine dies mid-stream', async () => {
    const res = await svc.speak({ text: TEXT }, ctxFor());
    let got = 0;
    const err = await (async () => {
      try {
        for await (const c of res.stream) {
          got += (c as Buffer).length;
          if (got >= 8192 && got < 16384) for (const pid of piper.workerPids()) process.kill(pid, 'SIGKILL');
        }
        return undefined;
      } catch (e) {
        return e as Error & { code?: string };
      }
    })();
    assert.ok(err, 'the reader sees an error, not an end');
    assert.equal(err.code, 'ERR_ENGINE_CRASHED');
    const failed = await pub.waitFor('jarvis.tts.job_failed.v1', res.jobId);
    assert.equal((failed.data as { error_code: string }).error_code, 'ERR_ENGINE_CRASHED');
    assert.ok(!pub.typesFor(res.jobId).includes('jarvis.tts.job_completed.v1'));
  });

  it('speaks again after a crash: the workers come back warm', async () => {
    await sleep(2500);
    const { bytes } = await receive((await svc.speak({ text: 'Back again.' }, ctxFor())).stream);
    assert.ok(parseWav(bytes).data.length > 10_000);
    assert.equal(piper.workerPids().length, 2);
  });
});

describe('failure of the embedded engine', () => {
  const embedded = createEmbeddedEngine(1);
  // Kills the engine's thread while it synthesizes the third sentence: a real crash, at a
  // deterministic moment (after audio has been sent).
  let calls = 0;
  const crashing = Object.assign(Object.create(embedded) as typeof embedded, {
    async synthesize(text: string, options: Parameters<typeof embedded.synthesize>[1]) {
      const p = embedded.synthesize(text, options);
      if (++calls === 3) {
        await sleep(5); // the request has reached the pool's thread
        for (const t of await embedded.threads()) await t.terminate();
      }
      return p;
    },
  });
  let svc: TtsService;
  let pub: RecordingPublisher;
  before(async () => { ({ svc, pub } = await ttsService('embedded', {}, { engine: crashing })); });
  after(async () => { await svc.close(); });

  it('aborts the stream when its thread dies mid-stream, and replaces the thread', async () => {
    const res = await svc.speak({ text: TEXT, chunkSize: 512 }, ctxFor());
    let received = 0;
    const err = await (async () => {
      try {
        for await (const c of res.stream) received += (c as Buffer).length;
        return undefined;
      } catch (e) {
        return e as Error & { code?: string };
      }
    })();
    assert.ok(received > 0, 'audio had been sent before the crash');
    assert.equal(err?.code, 'ERR_ENGINE_CRASHED');
    await pub.waitFor('jarvis.tts.job_failed.v1', res.jobId);
    const { bytes } = await receive((await svc.speak({ text: 'Still here.' }, ctxFor())).stream);
    assert.ok(parseWav(bytes).data.length > 10_000);
  });
});
