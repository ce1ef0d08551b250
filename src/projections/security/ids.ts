/**
 * Deterministic ids for derived events: a UUID-shaped SHA-256 of what caused the event and what
 * kind it is. Deriving again from the same log (a replay, a crash, `--rebuild`) yields the same
 * ids, so every consumer that deduplicates by id sees each derived event once.
 */
import { createHash } from 'node:crypto';

/** UUID-shaped (version nibble 5, RFC 4122 variant) hash of `cause` and `kind`. */
export function derivedId(cause: string, kind: string): string {
  const h = createHash('sha256').update(cause).update('\n').update(kind).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The trace id inside a W3C traceparent (`00-<trace id>-<span id>-<flags>`), or null. */
export function traceIdOf(traceparent: string | undefined): string | null {
  if (!traceparent) return null;
  const id = traceparent.split('-')[1];
  return id && /^[0-9a-f]{32}$/.test(id) && !/^0+$/.test(id) ? id : null;
}
