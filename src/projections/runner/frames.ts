/** The journal stores one row per batch: the batch's record values, each prefixed by its length. */

/** Concatenates `values` as (uint32 big-endian length, bytes) frames. */
export function packFrames(values: readonly Buffer[]): Buffer {
  let size = 0;
  for (const v of values) size += 4 + v.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const v of values) {
    out.writeUInt32BE(v.length, at);
    v.copy(out, at + 4);
    at += 4 + v.length;
  }
  return out;
}

/** The values `packFrames` packed, in order (views into `packed`, not copies). */
export function unpackFrames(packed: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < packed.length) {
    const n = packed.readUInt32BE(at);
    out.push(packed.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return out;
}
