/**
 * Random hex strings for trace and span ids, drawn from a pooled buffer the CSPRNG refills a few
 * kilobytes at a time: one `randomBytes` call per id costs microseconds on every request, a slice
 * of the pool a fraction of that (crypto.randomUUID pools the same way).
 */
import { randomFillSync } from 'node:crypto';

const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

/** `bytes` random bytes as lowercase hex (2 × bytes characters). */
export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}
