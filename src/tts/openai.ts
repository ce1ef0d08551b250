/** Maps OpenAI's speech request onto this service's, so OpenAI SDK clients speak through Jarvis. */
import type { AudioFormat } from './format.ts';
import type { OpenAiSpeechRequest } from './schemas.ts';
import type { SpeakRequest } from './service.ts';

/**
 * OpenAI's `pcm` is 24 kHz little-endian: with ffmpeg it is resampled to exactly that
 * (`pcm24`), without it the engine's own rate is sent as `audio/pcm; rate=…` (little-endian).
 * `model` and `instructions` do not change the voice here (one engine, no prompting).
 */
export function fromOpenAiSpeech(body: OpenAiSpeechRequest, ffmpegAvailable: boolean): SpeakRequest {
  const format: AudioFormat = body.response_format === 'pcm' ? (ffmpegAvailable ? 'pcm24' : 'pcm_s16le') : body.response_format;
  return {
    text: body.input,
    format,
    chunkSize: 8192,
    voice: typeof body.voice === 'string' ? body.voice : body.voice.id,
    speed: body.speed,
  };
}
