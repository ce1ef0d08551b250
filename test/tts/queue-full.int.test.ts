/**
 * The job queue: with one job running and one waiting, the next is refused with 503 and
 * Retry-After before any audio; a waiting job starts when the running one ends; a job
 * aborted while it waits is cancelled without ever starting.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/shared/errors.ts';
import type { TtsService } from '../../src/tts/service.ts';
import { parseWav } from '../../src/tts/wav.ts';
import { ctxFor, LONG_TEXT, receive, ttsService } from '../support/tts-audio.ts';
import type { RecordingPublisher } from '../support/tts-recording-publisher.ts';

describe('the speech job queue (espeak-ng, concurrency 1, one waiting place)', () => {
  let svc: TtsService;
  let pub: RecordingPublisher;
  before(async () => { ({ svc, pub } = await ttsService('espeak', { JARVIS_TTS_CONCURRENCY: '1', JARVIS_TTS_QUEUE_MAX: '1' })); });
  after(async () => { await svc.close(); });

  it('answers 503 with Retry-After when full, and runs the waiting job after the first', async () => {
    const first = await svc.speak({ text: LONG_TEXT }, ctxFor());
    const second = await svc.speak({ text: 'I waited my turn.' }, ctxFor());
    assert.deepEqual({ ...svc.status().queue }, { active: 1, waiting: 1, concurrency: 1, max: 1 });
    await assert.rejects(svc.speak({ text: 'One too many.' }, ctxFor()), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'ERR_TTS_QUEUE_FULL');
      assert.equal(err.status, 503);
      assert.match(err.headers['Retry-After'] ?? '', /^\d+$/);
      return true;
    });
    const requested = pub.events.filter((e) => e.envelope.type === 'jarvis.tts.job_requested.v1');
    assert.equal(requested.length, 2, 'a refused job is not requested');
    assert.equal((requested[1]!.envelope.data as { queue_depth: number }).queue_depth, 1);
    const [a, b] = await Promise.all([receive(first.stream), receive(second.stream)]);
    assert.ok(parseWav(a.bytes).data.length > parseWav(b.bytes).data.length);
    const startedSecond = await pub.waitFor('jarvis.tts.job_started.v1', second.jobId);
    assert.ok((startedSecond.data as { queued_ms: number }).queued_ms >= 0);
    assert.deepEqual({ ...svc.status().queue }, { active: 0, waiting: 0, concurrency: 1, max: 1 });
  });

  it('cancels a job whose client leaves while it waits, without starting it', async () => {
    const first = await svc.speak({ text: LONG_TEXT }, ctxFor());
    const abort = new AbortController();
    const waiting = await svc.speak({ text: 'Never mind.' }, ctxFor(abort.signal));
    abort.abort();
    await pub.waitFor('jarvis.tts.job_cancelled.v1', waiting.jobId);
    assert.deepEqual(pub.typesFor(waiting.jobId), ['jarvis.tts.job_requested.v1', 'jarvis.tts.job_cancelled.v1']);
    await receive(first.stream);
    assert.equal(svc.status().queue.waiting, 0);
  });

  it('does not run a job it could not record (event log full → its 503)', async () => {
    pub.breakOutbox();
    await assert.rejects(svc.speak({ text: 'Unrecorded.' }, ctxFor()), { code: 'ERR_EVENT_LOG_UNAVAILABLE', status: 503 });
    assert.equal(svc.status().queue.active, 0);
  });
});
