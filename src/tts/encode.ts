/** Stream stages between the engine's PCM and the client: the format encoder and the chunker. */
import { spawn } from 'node:child_process';
import { Duplex, Transform } from 'node:stream';
import { type AudioFormat, ffmpegArgs } from './format.ts';
import { wavHeader } from './wav.ts';

/** Turns a stream of 16-bit little-endian mono PCM into `format`. */
export function encoder(format: AudioFormat, sampleRate: number, ffmpegBinary = 'ffmpeg'): Duplex {
  if (format === 'wav') {
    let headerSent = false;
    return new Transform({
      transform(chunk: Buffer, _enc, done) {
        if (!headerSent) {
          headerSent = true;
          this.push(wavHeader(sampleRate));
        }
        done(null, chunk);
      },
      flush(done) {
        // A text with nothing speakable still yields a valid (empty) WAV.
        if (!headerSent) this.push(wavHeader(sampleRate, 0));
        done();
      },
    });
  }
  if (format === 'pcm') {
    let carry: Buffer | undefined; // an odd byte left over must wait for its pair
    return new Transform({
      transform(chunk: Buffer, _enc, done) {
        const data = carry ? Buffer.concat([carry, chunk]) : chunk;
        const even = data.length - (data.length % 2);
        carry = even < data.length ? Buffer.from(data.subarray(even)) : undefined;
        done(null, Buffer.from(data.subarray(0, even)).swap16());
      },
    });
  }
  if (format === 'pcm_s16le') return new Transform({ transform: (chunk, _enc, done) => done(null, chunk) });
  return ffmpegEncoder(ffmpegArgs(format)!, sampleRate, ffmpegBinary);
}

/** Pipes PCM through an ffmpeg process; destroying the stage kills the process. */
function ffmpegEncoder(outArgs: string[], sampleRate: number, binary: string): Duplex {
  const child = spawn(binary, ['-hide_banner', '-loglevel', 'error', '-f', 's16le', '-ar', String(sampleRate), '-ac', '1', '-i', 'pipe:0', ...outArgs, 'pipe:1'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-500); });
  const duplex = Duplex.from({ writable: child.stdin, readable: child.stdout });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) duplex.destroy(Object.assign(new Error(`ffmpeg exited with ${code}: ${stderr.trim()}`), { code: 'ERR_ENCODER_FAILED' }));
  });
  child.on('error', (err) => duplex.destroy(Object.assign(err, { code: 'ERR_ENCODER_FAILED' })));
  duplex.on('close', () => { if (child.exitCode === null) child.kill('SIGKILL'); });
  return duplex;
}

/** Observes the bytes going out: the first chunk and the total. */
export interface ChunkObserver {
  onFirstChunk(): void;
  onBytes(n: number): void;
}

/**
 * Re-cuts the byte stream into chunks of exactly `size` bytes (the last one may be shorter):
 * clients that asked for a chunk_size get it. The readable side is in object mode, one Buffer
 * per chunk, because a byte-mode reader (`read()`, async iteration) would merge chunks; its
 * buffer holds about `highWaterMark` bytes, so a slow reader stops the synthesis upstream.
 */
export function chunker(size: number, observer: ChunkObserver, highWaterMark = 64 * 1024): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let first = true;
  const emit = (stream: Transform, chunk: Buffer) => {
    if (first) {
      first = false;
      observer.onFirstChunk();
    }
    observer.onBytes(chunk.length);
    stream.push(chunk);
  };
  return new Transform({
    readableObjectMode: true,
    readableHighWaterMark: Math.max(2, Math.ceil(highWaterMark / size)),
    transform(chunk: Buffer, _enc, done) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= size) {
        let all = Buffer.concat(pending, pendingBytes);
        while (all.length >= size) {
          emit(this, all.subarray(0, size));
          all = all.subarray(size);
        }
        pending = all.length ? [Buffer.from(all)] : [];
        pendingBytes = all.length;
      }
      done();
    },
    flush(done) {
      if (pendingBytes > 0) emit(this, Buffer.concat(pending, pendingBytes));
      pending = [];
      pendingBytes = 0;
      done();
    },
  });
}
