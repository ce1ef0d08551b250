/**
 * One synthesis job, from admitted to its last byte: waits for a queue slot, synthesizes the
 * sentences one after another (sentence n+1 while n streams out), encodes, cuts chunks, and
 * publishes its life as events. The returned stream is the client's: reading it drives the
 * work (backpressure), destroying it cancels the rest, and an engine failure destroys it with
 * the error, so the HTTP layer aborts the connection instead of ending a truncated file.
 */
import { pipeline, Readable, type Transform } from 'node:stream';
import { TtsFirstAudio, TtsJobCancelled, TtsJobCompleted, TtsJobFailed, TtsJobStarted } from '../../events/tts.ts';
import type { Publisher } from '../eventlog/publisher.ts';
import type { Clock } from '../shared/clock.ts';
import { chunker, encoder } from './encode.ts';
import type { AudioFormat } from './format.ts';
import type { Ticket } from './queue.ts';
import { EngineError, type TtsEngine } from './engines/types.ts';

/** Everything a job needs; built by the service. */
export interface JobSpec {
  readonly jobId: string;
  readonly requestId: string;
  readonly principal: string | null;
  readonly traceparent?: string | undefined;
  readonly engine: TtsEngine;
  readonly voice: string;
  readonly speed: number;
  readonly format: AudioFormat;
  readonly chunkSize: number;
  readonly sentences: AsyncIterable<string>;
  /** Characters of the text (for incremental jobs, counted as sentences arrive). */
  characters(): number;
  readonly ticket: Ticket;
  readonly acceptedAt: number;
  readonly publisher: Publisher;
  readonly clock: Clock;
  readonly signal?: AbortSignal | undefined;
  readonly ffmpegBinary?: string | undefined;
  readonly onEnd?: (outcome: 'completed' | 'failed' | 'cancelled') => void;
  readonly log?: (msg: string, err?: unknown) => void;
}

/** Starts the job and returns the client's stream. */
export function runJob(spec: JobSpec): Readable {
  const { engine, clock } = spec;
  const base = { job_id: spec.jobId, request_id: spec.requestId, principal: spec.principal, engine: engine.name, voice: spec.voice };
  const meta = { key: spec.jobId, requestId: spec.requestId, traceparent: spec.traceparent, actorId: spec.principal ?? undefined };
  const publish: Publisher['publish'] = (def, data, m) => {
    try {
      return spec.publisher.publish(def, data, m);
    } catch (err) {
      // The job's audio matters more than its telemetry: a full outbox must not cut speech.
      spec.log?.('tts: event not published', err);
      return undefined as never;
    }
  };

  const stop = new AbortController(); // aborts the sentence being synthesized
  let synthMs = 0;
  let pcmBytes = 0;
  let outBytes = 0;
  let firstAt: number | undefined;
  let failure: EngineError | Error | undefined;
  let outcome: 'completed' | 'failed' | 'cancelled' | undefined;

  async function* speech(): AsyncGenerator<Buffer> {
    await Promise.race([spec.ticket.started, new Promise((_, reject) => stop.signal.addEventListener('abort', () => reject(stop.signal.reason), { once: true }))]);
    publish(TtsJobStarted, { ...base, queued_ms: Math.max(0, clock.now() - spec.acceptedAt) }, meta);
    const texts = spec.sentences[Symbol.asyncIterator]();
    const synthNext = async () => {
      const t = await texts.next();
      if (t.done) return undefined;
      const started = performance.now();
      const audio = await engine.synthesize(t.value, { speed: spec.speed, voice: spec.voice === engine.voice ? undefined : spec.voice, signal: stop.signal });
      synthMs += performance.now() - started;
      return audio;
    };
    try {
      let next = synthNext();
      for (;;) {
        const audio = await next;
        if (!audio) return;
        next = synthNext(); // sentence n+1 is synthesized while sentence n is streamed
        next.catch(() => {}); // observed on the next turn; do not let an early exit leak it
        pcmBytes += audio.pcm.length;
        yield audio.pcm;
      }
    } catch (err) {
      if (!stop.signal.aborted) failure = err as Error;
      throw err;
    } finally {
      stop.abort();
    }
  }

  const source = Readable.from(speech(), { objectMode: false, highWaterMark: 64 * 1024 });
  const out: Transform = chunker(spec.chunkSize, {
    onFirstChunk() {
      firstAt = clock.now();
      publish(TtsFirstAudio, { ...base, time_to_first_byte_ms: Math.max(0, firstAt - spec.acceptedAt) }, meta);
    },
    onBytes(n) {
      outBytes += n;
    },
  });

  const audioSeconds = () => pcmBytes / 2 / engine.sampleRate;
  const finish = (kind: 'completed' | 'failed' | 'cancelled') => {
    if (outcome) return;
    outcome = kind;
    stop.abort();
    spec.ticket.release();
    spec.signal?.removeEventListener('abort', onAbort);
    if (kind === 'completed') {
      publish(TtsJobCompleted, {
        ...base,
        characters: spec.characters(),
        audio_seconds: audioSeconds(),
        synthesis_seconds: synthMs / 1000,
        time_to_first_byte_ms: firstAt === undefined ? 0 : Math.max(0, firstAt - spec.acceptedAt),
        bytes: outBytes,
      }, meta);
    } else if (kind === 'failed') {
      const code = failure instanceof EngineError ? failure.code : ((failure as { code?: string } | undefined)?.code ?? 'ERR_ENGINE_FAILED');
      publish(TtsJobFailed, { ...base, error_code: String(code).slice(0, 64), synthesis_seconds: synthMs / 1000 }, meta);
      spec.log?.('tts: job failed', failure);
    } else {
      publish(TtsJobCancelled, { ...base, audio_seconds_sent: Math.min(audioSeconds(), outBytes / 2 / engine.sampleRate) }, meta);
    }
    spec.onEnd?.(kind);
  };

  const enc = encoder(spec.format, spec.engine.sampleRate, spec.ffmpegBinary);
  // Only an encoder that failed by itself is a failure; one killed because the client left is not.
  enc.on('error', (err: Error & { code?: string }) => {
    if (failure === undefined && err.code === 'ERR_ENCODER_FAILED') failure = err;
  });
  pipeline(source, enc, out, () => {
    // Outcomes are decided by the client's stream ('end' / 'close' below); an error of the
    // engine or encoder has already destroyed it with that error.
  });
  out.once('end', () => finish('completed'));
  out.once('close', () => {
    if (outcome) return;
    finish(failure !== undefined ? 'failed' : 'cancelled');
  });

  const onAbort = () => out.destroy();
  if (spec.signal?.aborted) queueMicrotask(onAbort);
  else spec.signal?.addEventListener('abort', onAbort, { once: true });
  return out;
}
