/** Offsets are decimal strings (Kafka's may exceed 2^53); these compare them without BigInt. */

/** <0, 0, >0 as offset `a` is below, equal to or above `b` (non-negative, no leading zeros). */
export function compareOffsets(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `b - a` as a number (for lag; exact below 2^53). */
export function offsetDistance(a: string, b: string): number {
  // Both below 2^53 (15 digits or fewer): plain numbers, without two BigInt allocations.
  if (a.length < 16 && b.length < 16) return Number(b) - Number(a);
  return Number(BigInt(b) - BigInt(a));
}

/** Key of a topic-partition in maps and tables. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}
