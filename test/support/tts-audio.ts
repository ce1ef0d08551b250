/** Listening helpers for the TTS tests: read a stream as a client would, and judge the audio. */
import type { Readable } from 'node:stream';
import { parseTtsConfig, type TtsEngineName } from '../../src/config/tts.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { randomIds } from '../../src/shared/ids.ts';
import { createTtsService, type TtsDeps, type TtsService } from '../../src/tts/service.ts';
import { recordingPublisher, type RecordingPublisher } from './tts-recording-publisher.ts';

export interface Received {
  readonly chunks: Buffer[];
  readonly bytes: Buffer;
  /** Milliseconds from the start of reading to the first and the last chunk. */
  readonly firstMs: number;
  readonly lastMs: number;
}

/** Reads a whole stream, timing the first and last chunk. */
export async function receive(stream: Readable, startedAt = performance.now()): Promise<Received> {
  const chunks: Buffer[] = [];
  let firstMs = -1;
  for await (const c of stream) {
    if (firstMs < 0) firstMs = performance.now() - startedAt;
    chunks.push(c as Buffer);
  }
  return { chunks, bytes: Buffer.concat(chunks), firstMs, lastMs: performance.now() - startedAt };
}

/** Root-mean-square level of 16-bit samples, 0..1. */
export function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return samples.length ? Math.sqrt(sum / samples.length) / 32768 : 0;
}

/** 16-bit little-endian bytes as samples. */
export function samplesLE(buf: Buffer): Int16Array {
  const copy = Buffer.from(buf.subarray(0, buf.length - (buf.length % 2)));
  return new Int16Array(copy.buffer, copy.byteOffset, copy.length / 2);
}

/** A service on a real engine with a recording publisher; `close` it after the test. */
export async function ttsService(engine: TtsEngineName, env: Record<string, string> = {}, extra: Partial<TtsDeps> = {}): Promise<{ svc: TtsService; pub: RecordingPublisher }> {
  const pub = recordingPublisher();
  const svc = await createTtsService({
    config: { tts: parseTtsConfig({ JARVIS_TTS_ENGINE: engine, JARVIS_TTS_POOL: '2', ...env }) },
    publisher: pub,
    clock: systemClock,
    ids: randomIds,
    ...extra,
  });
  return { svc, pub };
}

/** A context for speak(), with a fresh request id. */
export function ctxFor(signal?: AbortSignal): { requestId: string; principal: string; signal?: AbortSignal } {
  return { requestId: `req-${randomIds.short()}`, principal: 'env-1', ...(signal ? { signal } : {}) };
}

/** About 300 characters in six sentences (the benchmark's "long" text). */
export const LONG_TEXT =
  'The weather today is clear and mild across most of the region. Light winds come from the west. ' +
  'In the afternoon, clouds may gather over the hills near the coast. Tomorrow looks warmer, with sunshine in the morning. ' +
  'A few showers are possible by evening. Next week should stay dry and bright.';

export const ENGINES: readonly TtsEngineName[] = ['embedded', 'espeak', 'piper'];
