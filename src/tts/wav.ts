/** WAV (RIFF) helpers: a header for a stream of unknown length, and reading engine output. */

/** Size fields of a streamed WAV whose length is unknown when the header is sent. */
export const UNKNOWN_SIZE = 0xffffffff;

/**
 * A 44-byte PCM WAV header. With `dataBytes` undefined, the RIFF and data sizes are
 * 0xFFFFFFFF: the common practice for streamed WAV (ffmpeg, browsers and sox read it until
 * the end of the stream), since the length is unknown before synthesis ends.
 */
export function wavHeader(sampleRate: number, dataBytes?: number, channels = 1, bitsPerSample = 16): Buffer {
  const h = Buffer.alloc(44);
  const blockAlign = (channels * bitsPerSample) / 8;
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(dataBytes === undefined ? UNKNOWN_SIZE : 36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(bitsPerSample, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes === undefined ? UNKNOWN_SIZE : dataBytes, 40);
  return h;
}

/** What a WAV file holds, as found in its header. */
export interface ParsedWav {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  readonly format: number;
  /** The sample bytes (up to the end of the buffer when the data size is unknown). */
  readonly data: Buffer;
}

/** Reads a RIFF/WAVE buffer by walking its chunks. Throws on anything that is not WAV. */
export function parseWav(buf: Buffer): ParsedWav {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE stream');
  }
  let offset = 12;
  let fmt: Omit<ParsedWav, 'data'> | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      fmt = {
        format: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('WAV data before fmt');
      // Streamed WAVs announce 0xFFFFFFFF (or a stale size): take what is there.
      const end = size === UNKNOWN_SIZE || body + size > buf.length ? buf.length : body + size;
      return { ...fmt, data: buf.subarray(body, end) };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV without a data chunk');
}

/** Swaps 16-bit little-endian samples to big-endian (audio/L16 is network byte order, RFC 2586). */
export function toBigEndian16(le: Buffer): Buffer {
  const out = Buffer.from(le.subarray(0, le.length - (le.length % 2)));
  return out.swap16();
}
