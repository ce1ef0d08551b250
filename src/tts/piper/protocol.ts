/** The framing spoken with src/tts/piper/worker.py (described there): parse and build frames. */

/** A frame from the worker: type byte, request id, payload. */
export interface WorkerFrame {
  readonly kind: 'R' | 'A' | 'D' | 'E';
  readonly id: number;
  readonly payload: Buffer;
}

/** Largest frame accepted from the worker (one sentence of audio is far smaller). */
const MAX_FRAME = 64 * 1024 * 1024;

/** A request frame: u32 big-endian length, then UTF-8 JSON. */
export function encodeRequest(id: number, text: string, lengthScale: number | null): Buffer {
  const body = Buffer.from(JSON.stringify({ id, text, length_scale: lengthScale }), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** Incremental parser for the worker's stdout: feed bytes, get whole frames. */
export function frameReader(): { push(data: Buffer): WorkerFrame[] } {
  let buf: Buffer = Buffer.alloc(0);
  return {
    push(data) {
      buf = buf.length === 0 ? data : Buffer.concat([buf, data]);
      const frames: WorkerFrame[] = [];
      while (buf.length >= 9) {
        const kind = String.fromCharCode(buf[0]!);
        const id = buf.readUInt32BE(1);
        const len = buf.readUInt32BE(5);
        if (!'RADE'.includes(kind) || len > MAX_FRAME) throw new Error(`piper worker sent a malformed frame (${kind}, ${len} bytes)`);
        if (buf.length < 9 + len) break;
        frames.push({ kind: kind as WorkerFrame['kind'], id, payload: buf.subarray(9, 9 + len) });
        buf = buf.subarray(9 + len);
      }
      return frames;
    },
  };
}
