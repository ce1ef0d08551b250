/** Injected id generation: random in production, predictable in tests. */
import { randomBytes, randomUUID } from 'node:crypto';

export interface IdGenerator {
  /** A unique event or request id (UUID v4). */
  uuid(): string;
  /** A short URL-safe random id of `bytes` random bytes (default 9 → 12 characters). */
  short(bytes?: number): string;
}

export const randomIds: IdGenerator = {
  uuid: () => randomUUID(),
  short: (bytes = 9) => randomBytes(bytes).toString('base64url'),
};

/** Deterministic ids for tests: `prefix-1`, `prefix-2`, … */
export function sequentialIds(prefix = 'id'): IdGenerator {
  let n = 0;
  return { uuid: () => `${prefix}-${++n}`, short: () => `${prefix}${++n}` };
}
