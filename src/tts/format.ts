/**
 * Output formats: how 16-bit little-endian PCM from an engine becomes what the client asked for.
 * wav and pcm are produced here; compressed formats go through Debian's ffmpeg when installed.
 *
 * `pcm` is `audio/L16; rate=…; channels=1`, which RFC 2586 defines as big-endian (network
 * byte order), so the samples are byte-swapped. `pcm_s16le` is the same samples unswapped
 * (`audio/pcm`), what OpenAI-compatible clients expect from response_format "pcm".
 */
import { spawnSync } from 'node:child_process';
import { AppError } from '../shared/errors.ts';

export const FORMATS = ['wav', 'pcm', 'pcm_s16le', 'pcm24', 'mp3', 'opus', 'aac', 'flac'] as const;
export type AudioFormat = (typeof FORMATS)[number];

/** Formats that need ffmpeg, with its output arguments and the content type sent. */
const FFMPEG_FORMATS: Partial<Record<AudioFormat, { args: string[]; contentType: string }>> = {
  mp3: { args: ['-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3'], contentType: 'audio/mpeg' },
  // Ogg pages flushed often, so the first audio leaves ffmpeg before the input ends.
  opus: { args: ['-c:a', 'libopus', '-b:a', '32k', '-ar', '24000', '-page_duration', '100000', '-f', 'ogg'], contentType: 'audio/ogg; codecs=opus' },
  aac: { args: ['-c:a', 'aac', '-b:a', '64k', '-f', 'adts'], contentType: 'audio/aac' },
  flac: { args: ['-c:a', 'flac', '-f', 'flac'], contentType: 'audio/flac' },
  // OpenAI's "pcm" is 24 kHz signed 16-bit little-endian; clients assume that rate.
  pcm24: { args: ['-ar', '24000', '-c:a', 'pcm_s16le', '-f', 's16le'], contentType: 'audio/pcm; rate=24000; channels=1; encoding=s16le' },
};

/** The ffmpeg output arguments for a compressed format, or undefined for wav/pcm. */
export function ffmpegArgs(format: AudioFormat): string[] | undefined {
  return FFMPEG_FORMATS[format]?.args;
}

/** The Content-Type for `format` at `sampleRate`. */
export function contentTypeFor(format: AudioFormat, sampleRate: number): string {
  switch (format) {
    case 'wav':
      return 'audio/wav';
    case 'pcm':
      return `audio/L16; rate=${sampleRate}; channels=1`;
    case 'pcm_s16le':
      return `audio/pcm; rate=${sampleRate}; channels=1; encoding=s16le`;
    default:
      return FFMPEG_FORMATS[format]!.contentType;
  }
}

let ffmpegFound: boolean | undefined;

/** Whether Debian's ffmpeg is on PATH (checked once; `JARVIS_FFMPEG` is not read here). */
export function hasFfmpeg(binary = 'ffmpeg'): boolean {
  if (ffmpegFound === undefined) ffmpegFound = spawnSync(binary, ['-version'], { stdio: 'ignore', timeout: 5000 }).status === 0;
  return ffmpegFound;
}

/** Refuses a format this installation cannot produce, naming what is missing. */
export function assertFormatSupported(format: AudioFormat, ffmpegAvailable: boolean): void {
  if (FFMPEG_FORMATS[format] && !ffmpegAvailable) {
    // 400, not 415: 415 in this API means a wrong request Content-Type.
    throw new AppError('ERR_TTS_FORMAT_UNAVAILABLE', {
      status: 400,
      title: 'Audio format not available',
      detail: `format "${format}" needs ffmpeg, which is not installed on this server; use "wav" or "pcm"`,
      errors: [{ path: 'format', message: `"${format}" is not available on this server (no ffmpeg)` }],
    });
  }
}
