/** The speech service's public types: what callers pass in and get back. */
import type { Readable } from 'node:stream';
import type { TtsConfig } from '../config/tts.ts';
import type { Publisher } from '../eventlog/publisher.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import type { TtsEngine } from './engines/types.ts';
import type { AudioFormat } from './format.ts';

/**
 * What to say and how. Defaults: wav, 8192-byte chunks, the engine's voice, speed 1.
 * `text` may also be an async iterable of text deltas (an LLM answer being generated): audio
 * starts with its first complete sentence.
 */
export interface SpeakRequest {
  readonly text: string | AsyncIterable<string>;
  readonly format?: AudioFormat;
  readonly chunkSize?: number;
  readonly voice?: string | undefined;
  readonly speed?: number;
}

/** Who asked, for the events; `signal` aborts the job (client disconnect). */
export interface SpeakContext {
  readonly requestId: string;
  readonly principal: string | null;
  readonly traceparent?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface SpeakResult {
  readonly jobId: string;
  readonly contentType: string;
  readonly format: AudioFormat;
  readonly sampleRate: number;
  /** The audio, produced while it is synthesized. Destroy it to cancel. */
  readonly stream: Readable;
}

/** A job whose text is still arriving (chat with use_tts while the LLM streams). */
export interface IncrementalSpeech extends SpeakResult {
  push(textDelta: string): void;
  end(): void;
  fail(err: Error): void;
}

export interface TtsStatus {
  readonly engine: string;
  readonly voice: string;
  readonly voices: readonly string[];
  readonly sample_rate: number;
  readonly formats: readonly AudioFormat[];
  readonly queue: { readonly active: number; readonly waiting: number; readonly concurrency: number; readonly max: number };
}

export interface TtsService {
  readonly engineName: string;
  /** Same as engineName (the HTTP layer's SpeechPort calls it `engine`). */
  readonly engine: string;
  readonly voice: string;
  speak(request: SpeakRequest, ctx: SpeakContext): Promise<SpeakResult>;
  speakIncremental(request: Omit<SpeakRequest, 'text'>, ctx: SpeakContext): IncrementalSpeech;
  status(): TtsStatus;
  close(): Promise<void>;
}

export interface Logger {
  warn(obj: object, msg: string): void;
}

export interface TtsDeps {
  readonly config: { readonly tts: TtsConfig };
  readonly publisher: Publisher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger?: Logger;
  /** An engine already built (tests, benchmarks); default: the one config.tts.engine names. */
  readonly engine?: TtsEngine;
  /** Overrides ffmpeg detection (tests of the "no ffmpeg" answer). */
  readonly ffmpeg?: boolean;
}
