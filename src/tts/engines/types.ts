/** The one interface every speech engine implements; the service never knows which it has. */
import type { TtsEngineName } from '../../config/tts.ts';

/** One synthesized piece of speech: signed 16-bit little-endian mono samples. */
export interface PcmAudio {
  readonly pcm: Buffer;
  readonly sampleRate: number;
}

/** Per-request options an engine honours. */
export interface SynthesisOptions {
  /** 1 is the engine's natural rate; 2 twice as fast. */
  readonly speed: number;
  /** A voice this engine listed in `voices`; undefined for its default. */
  readonly voice?: string | undefined;
  /** Aborts the synthesis of this piece (the worker is told, or the process killed). */
  readonly signal?: AbortSignal | undefined;
}

export interface TtsEngine {
  readonly name: TtsEngineName;
  /** The default voice, as reported by /status. */
  readonly voice: string;
  /** Voices a request may ask for (the default included). */
  readonly voices: readonly string[];
  /** Sample rate of every PcmAudio this engine returns; known once `start` resolved. */
  readonly sampleRate: number;
  /** Loads the voice and warms up; rejects with a clear message when the engine is not installed. */
  start(): Promise<void>;
  /** Synthesizes one sentence. */
  synthesize(text: string, options: SynthesisOptions): Promise<PcmAudio>;
  close(): Promise<void>;
}

/** Thrown by engines; `code` becomes the error_code of TtsJobFailed. */
export class EngineError extends Error {
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
  }
}

/** espeak words per minute for a speed factor (espeak's own range is 80..450, default 175). */
export function espeakRate(speed: number): number {
  return Math.max(80, Math.min(450, Math.round(175 * speed)));
}

/** Voices both espeak-based engines accept (a safe subset of espeak-ng's language list). */
export const ESPEAK_VOICES: readonly string[] = ['en-us', 'en-gb', 'en-gb-x-rp', 'en-029', 'de', 'fr-fr', 'es', 'it', 'pt', 'nl', 'pl', 'ru', 'sv', 'fi', 'da', 'nb', 'cs', 'el', 'hu', 'ro', 'tr', 'ja', 'cmn', 'hi', 'ar'];
