/**
 * The newest records this process appended to one partition, kept in memory with their envelope
 * already decoded. A subscription of the same process that has drained the partition reads new
 * records here instead of querying SQLite and parsing JSON again: on one machine the API, its
 * views, the projector and the audit all consume what the API just wrote. Only a contiguous run of
 * offsets is kept: an append by another process leaves a gap, and the tail starts over after it.
 */
import type { ConsumedRecord } from '../types.ts';

export class LocalTail {
  private records: ConsumedRecord[] = [];
  /** Offset of records[0]. */
  private first = 0;

  /** `capacity` records are kept at least; the oldest are dropped in bulk past 1.5 × capacity. */
  constructor(private readonly capacity: number) {}

  /** Adds the record appended at `offset` (records arrive in offset order). */
  push(record: ConsumedRecord, offset: number): void {
    if (this.records.length > 0 && offset !== this.first + this.records.length) this.records = [];
    if (this.records.length === 0) this.first = offset;
    this.records.push(record);
    if (this.records.length > this.capacity * 1.5) {
      const drop = this.records.length - this.capacity;
      this.records = this.records.slice(drop);
      this.first += drop;
    }
  }

  /** The offset after the newest record held (the partition's next offset, as far as this process knows). */
  get next(): number {
    return this.first + this.records.length;
  }

  /** Up to `max` records from offset `from`, or null when the tail does not hold `from`. */
  read(from: number, max: number): ConsumedRecord[] | null {
    const i = from - this.first;
    if (this.records.length === 0 || i < 0 || i > this.records.length) return null;
    return this.records.slice(i, i + max);
  }
}
