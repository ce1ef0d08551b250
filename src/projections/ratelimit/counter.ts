/**
 * A sparse, bucketed event counter: parallel arrays of bucket index (ascending) and count.
 * Requests arrive almost in time order, so adding is an append or a short backward scan,
 * and a window sum walks back from the newest bucket.
 */
export interface Counter {
  readonly b: number[];
  readonly c: number[];
}

export function newCounter(): Counter {
  return { b: [], c: [] };
}

/** Counts one event in `bucket`. */
export function addTo(counter: Counter, bucket: number): void {
  const { b, c } = counter;
  let i = b.length - 1;
  if (i < 0 || b[i]! < bucket) {
    b.push(bucket);
    c.push(1);
    return;
  }
  while (i >= 0 && b[i]! > bucket) i--;
  if (i >= 0 && b[i] === bucket) c[i]!++;
  else {
    b.splice(i + 1, 0, bucket);
    c.splice(i + 1, 0, 1);
  }
}

/** Drops buckets before `fromBucket`; returns true when the counter is empty afterwards. */
export function pruneBefore(counter: Counter, fromBucket: number): boolean {
  const { b, c } = counter;
  let n = 0;
  while (n < b.length && b[n]! < fromBucket) n++;
  if (n > 0) {
    b.splice(0, n);
    c.splice(0, n);
  }
  return b.length === 0;
}

/** Sum of the buckets at or after `fromBucket`. */
export function sumFrom(counter: Counter, fromBucket: number): number {
  const { b, c } = counter;
  let sum = 0;
  for (let i = b.length - 1; i >= 0 && b[i]! >= fromBucket; i--) sum += c[i]!;
  return sum;
}
