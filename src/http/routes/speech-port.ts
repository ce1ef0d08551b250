/** What the audio routes need from the speech service (src/tts). */
import type { Readable } from 'node:stream';
import type { AudioFormat } from '../../tts/format.ts';

export interface SpeechRequest {
  /** The whole text, or text arriving piece by piece (a chat answer being generated). */
  readonly text: string | AsyncIterable<string>;
  readonly format: AudioFormat;
  readonly chunkSize: number;
  readonly voice?: string | undefined;
  readonly speed: number;
}

export interface SpeechContext {
  readonly requestId: string;
  readonly principal: string;
  readonly traceparent?: string | undefined;
  readonly signal: AbortSignal;
}

export interface SpeechPort {
  readonly engine: string;
  readonly voice: string;
  /** True when compressed formats (mp3, opus, …) can be produced. */
  readonly ffmpeg?: boolean;
  /** Starts a job; rejects with an AppError (queue full 503, unsupported format) before any byte. */
  speak(req: SpeechRequest, ctx: SpeechContext): Promise<{ contentType: string; stream: Readable }>;
}
