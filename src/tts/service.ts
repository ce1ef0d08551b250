/**
 * The speech service the HTTP layer and chat use: framework-independent. `speak` admits a job
 * (or refuses it with 503 when the queue is full), publishes TtsJobRequested, and returns the
 * audio stream at once; the audio flows as it is synthesized.
 */
import type { Readable } from 'node:stream';
import { TtsJobRequested } from '../../events/tts.ts';
import { AppError } from '../shared/errors.ts';
import { createEngine } from './engines/index.ts';
import { assertFormatSupported, contentTypeFor, hasFfmpeg } from './format.ts';
import type { IncrementalSpeech, SpeakContext, SpeakRequest, SpeakResult, TtsDeps, TtsService } from './types.ts';
import { sentenceFeed } from './incremental.ts';
import { runJob } from './job.ts';
import { createJobQueue } from './queue.ts';
import { OPENAI_VOICES, MAX_TEXT } from './schemas.ts';
import { quickStart, splitSentences } from './sentences.ts';

export type { IncrementalSpeech, Logger, SpeakContext, SpeakRequest, SpeakResult, TtsDeps, TtsService, TtsStatus } from './types.ts';

/** Longest text an incremental job accepts (a long chat answer). */
const MAX_INCREMENTAL = 5 * MAX_TEXT;
/** Seconds a refused client is told to wait. */
const RETRY_AFTER_S = 2;

/** Builds the engine, starts it (the voice is loaded once here) and returns the service. */
export async function createTtsService(deps: TtsDeps): Promise<TtsService> {
  const { config, publisher, clock, ids, logger } = deps;
  const engine = deps.engine ?? createEngine(config.tts);
  await engine.start();
  const ffmpeg = deps.ffmpeg ?? hasFfmpeg();
  const queue = createJobQueue(config.tts.concurrency, config.tts.queueMax);
  const live = new Set<Readable>();
  let closed = false;
  const log = (msg: string, err?: unknown) => logger?.warn({ err: err instanceof Error ? { name: err.name, message: err.message, code: (err as { code?: string }).code } : err }, msg);

  function resolveVoice(voice: string | undefined): string {
    if (voice === undefined || voice === engine.voice || (OPENAI_VOICES as readonly string[]).includes(voice)) return engine.voice;
    if (engine.voices.includes(voice)) return voice;
    throw new AppError('ERR_TTS_VOICE_UNSUPPORTED', {
      status: 400,
      title: 'Voice not available',
      detail: `voice "${voice}" is not available with the ${engine.name} engine`,
      errors: [{ path: 'voice', message: `expected one of: ${engine.voices.join(', ')}` }],
    });
  }

  function start(request: Omit<SpeakRequest, 'text'>, ctx: SpeakContext, sentences: AsyncIterable<string>, characters: () => number, announced: number): SpeakResult {
    if (closed) throw new AppError('ERR_TTS_UNAVAILABLE', { status: 503, title: 'Speech synthesis is shutting down', headers: { 'Retry-After': String(RETRY_AFTER_S) } });
    const format = request.format ?? 'wav';
    assertFormatSupported(format, ffmpeg);
    const voice = resolveVoice(request.voice);
    const ticket = queue.enter();
    if (!ticket) {
      throw new AppError('ERR_TTS_QUEUE_FULL', {
        status: 503,
        title: 'Speech synthesis is busy',
        detail: 'too many speech jobs are waiting; try again shortly',
        headers: { 'Retry-After': String(RETRY_AFTER_S) },
      });
    }
    const jobId = `tts_${ids.short()}`;
    const acceptedAt = clock.now();
    try {
      publisher.publish(TtsJobRequested, {
        job_id: jobId, request_id: ctx.requestId, principal: ctx.principal, engine: engine.name, voice,
        characters: announced, format, queue_depth: queue.waiting,
      }, { key: jobId, requestId: ctx.requestId, traceparent: ctx.traceparent, actorId: ctx.principal ?? undefined });
    } catch (err) {
      ticket.release(); // an unrecorded job is not run: the publisher's 503 goes to the client
      throw err;
    }
    const stream = runJob({
      jobId, requestId: ctx.requestId, principal: ctx.principal, traceparent: ctx.traceparent,
      engine, voice, speed: request.speed ?? 1, format, chunkSize: request.chunkSize ?? 8192,
      sentences, characters, ticket, acceptedAt, publisher, clock, signal: ctx.signal, log,
      onEnd: () => live.delete(stream),
    });
    live.add(stream);
    return { jobId, format, sampleRate: engine.sampleRate, contentType: contentTypeFor(format, engine.sampleRate), stream };
  }

  function incremental(request: Omit<SpeakRequest, 'text'>, ctx: SpeakContext): IncrementalSpeech {
    const feed = sentenceFeed(MAX_INCREMENTAL);
    async function* sentences() {
      let first = true;
      for await (const s of feed) {
        if (first) yield* quickStart(s);
        else yield s;
        first = false;
      }
    }
    const result = start(request, ctx, sentences(), () => feed.characters, 0);
    return { ...result, push: (d) => feed.push(d), end: () => feed.end(), fail: (e) => feed.fail(e) };
  }

  return {
    engineName: engine.name,
    engine: engine.name,
    get voice() {
      return engine.voice;
    },
    async speak(request, ctx) {
      const { text } = request;
      if (typeof text !== 'string') {
        const job = incremental(request, ctx);
        void (async () => {
          try {
            for await (const delta of text) job.push(delta);
            job.end();
          } catch (err) {
            job.fail(err instanceof Error ? err : new Error(String(err)));
          }
        })();
        return job;
      }
      const [head, ...rest] = splitSentences(text);
      const pieces = head === undefined ? [] : [...quickStart(head), ...rest];
      async function* sentences() { yield* pieces; }
      return start(request, ctx, sentences(), () => text.length, text.length);
    },
    speakIncremental: incremental,
    status() {
      return {
        engine: engine.name,
        voice: engine.voice,
        voices: engine.voices,
        sample_rate: engine.sampleRate,
        formats: ffmpeg ? ['wav', 'pcm', 'mp3', 'opus', 'aac', 'flac'] : ['wav', 'pcm'],
        queue: { active: queue.active, waiting: queue.waiting, concurrency: queue.concurrency, max: queue.max },
      };
    },
    async close() {
      closed = true;
      for (const s of live) s.destroy();
      await engine.close();
    },
  };
}
