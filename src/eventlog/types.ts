/**
 * The event-log contract shared by the embedded log (SQLite, one machine) and Kafka.
 * Semantics both must keep (the contract tests in test/eventlog check them on both):
 * - `append` is durable once it resolves, and keeps order per (topic, key);
 * - a record's partition is a stable function of its key, its offset grows within a partition;
 * - `subscribe` delivers batches per partition in offset order, starting after the group's
 *   committed position (or at the beginning / the end for a new group), and commits a batch's
 *   position only after `onBatch` resolved: at-least-once, so handlers deduplicate by event id.
 */

import type { Envelope } from '../../events/index.ts';

/** A record to append. `value` is the JSON-encoded CloudEvents envelope. */
export interface LogRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The envelope `value` encodes, when the appender built it (the publisher). A log may hand it
   * to consumers of the same process with the record, so they need not decode `value` again.
   */
  readonly envelope?: Envelope;
}

/** A record as read back from the log. */
export interface ConsumedRecord extends LogRecord {
  readonly partition: number;
  /** Decimal string, as Kafka reports offsets (they may exceed 2^53). */
  readonly offset: string;
  /** Milliseconds since the epoch, set by the log on append. */
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface RecordBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumedRecord[];
  /** Offset of the newest record in the partition when this batch was fetched (for lag). */
  readonly highWatermark: string;
}

export interface SubscribeOptions {
  /** Consumers sharing a group id share the partitions; each group sees every record. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group with no committed position starts. */
  readonly fromBeginning: boolean;
  /** Called per batch; the position is committed only after it resolves. Throwing retries the batch. */
  onBatch(batch: RecordBatch): Promise<void>;
}

export interface Subscription {
  /** Stops fetching, waits for the batch in hand, and leaves the group. */
  stop(): Promise<void>;
}

export interface LogHealth {
  readonly ok: boolean;
  readonly detail: string;
}

export interface EventLog {
  readonly kind: 'embedded' | 'kafka';
  /** Connects and creates missing topics with their configured partitions and retention. */
  start(): Promise<void>;
  append(records: readonly LogRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  health(): LogHealth;
  close(): Promise<void>;
}
