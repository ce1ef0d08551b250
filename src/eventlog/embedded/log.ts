/**
 * The embedded event log: one SQLite file (WAL) under the data directory, shared by the
 * processes of one machine. Same contract as Kafka (src/eventlog/types.ts): the partition is
 * the Kafka partitioner's function of the key, offsets are dense per partition, consumer
 * groups keep their committed positions in the file and split partitions through leases.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { EventLog, LogHealth, LogRecord, SubscribeOptions, Subscription } from '../types.ts';
import { LocalTail } from './tail.ts';
import { systemClock, type Clock } from '../../shared/clock.ts';
import { errorMessage, silentLog, type LogSink } from '../logger.ts';
import { partitionFor } from '../partition.ts';
import { physicalTopic, type TopicSpecs } from '../topics.ts';
import { openLogDb, type Durability } from './db.ts';
import { applyRetention } from './retention.ts';
import { EmbeddedSubscription, type EmbeddedConsumerSettings } from './subscription.ts';
import { notifyAppend } from './wake.ts';

export interface EmbeddedLogOptions {
  /** The SQLite file, e.g. `<dataDir>/eventlog.db`. */
  readonly file: string;
  readonly topics: TopicSpecs;
  readonly topicPrefix?: string;
  /** Default 'full': an append that resolved survives power loss. */
  readonly durability?: Durability;
  /** Stamps record timestamps. Leases always use wall time: they are shared across processes. */
  readonly clock?: Clock;
  readonly log?: LogSink;
  readonly consumer?: Partial<EmbeddedConsumerSettings>;
}

/** Where an appended record landed. */
interface Appended {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly ts: number;
}

/** Thrown when appending to or subscribing to a topic the log was not created with. */
export class UnknownTopicError extends Error {}

export class EmbeddedEventLog implements EventLog {
  readonly kind = 'embedded' as const;
  readonly file: string;
  private db: Database.Database | null = null;
  private readonly partitions = new Map<string, number>();
  private readonly subscriptions = new Set<EmbeddedSubscription>();
  /** Logical topic → how many of this process's subscriptions read it (only those get a tail). */
  private readonly subscribedTopics = new Map<string, number>();
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly log: LogSink;
  private readonly settings: EmbeddedConsumerSettings;
  private appendTx: ((records: readonly LogRecord[]) => Appended[]) | null = null;
  /** Physical topic \0 partition → what this process appended there lately (see tail.ts). */
  private readonly tails = new Map<string, LocalTail>();
  private lastError: string | null = null;
  private trimTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EmbeddedLogOptions) {
    this.file = path.resolve(options.file);
    this.prefix = options.topicPrefix ?? '';
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? silentLog;
    this.settings = { pollMs: 10, heartbeatMs: 1000, leaseMs: 10_000, maxBatchRecords: 500, minPassMs: 20, ...options.consumer };
  }

  async start(): Promise<void> {
    if (this.db) return;
    const db = openLogDb(this.file, this.options.durability ?? 'full');
    const create = db.prepare('INSERT OR IGNORE INTO topics (topic, partitions, retention_ms) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (const [name, spec] of Object.entries(this.options.topics)) {
        create.run(physicalTopic(this.prefix, name), spec.partitions, spec.retentionMs);
      }
    }).immediate();
    this.db = db;
    this.loadTopics();
    this.appendTx = this.prepareAppend(db);
    const trim = () => applyRetention(db, this.clock.now(), () => this.db === db, this.log);
    await trim();
    this.trimTimer = setInterval(() => {
      trim().catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, 'embedded log: retention pass failed'));
    }, 3_600_000);
    this.trimTimer.unref();
  }

  async append(records: readonly LogRecord[]): Promise<void> {
    if (!this.appendTx) throw new Error('embedded log: append before start()');
    if (records.length === 0) return;
    let appended: Appended[];
    try {
      appended = this.appendTx(records);
      this.lastError = null;
    } catch (err) {
      this.lastError = errorMessage(err);
      throw err;
    }
    if (this.subscribedTopics.size > 0) this.keepTail(records, appended);
    notifyAppend(this.file);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (!this.db) throw new Error('embedded log: subscribe before start()');
    const topics = new Map<string, number>();
    for (const t of options.topics) {
      const physical = physicalTopic(this.prefix, t);
      topics.set(physical, this.partitionCount(physical));
    }
    const memberId = `${process.pid}-${randomBytes(6).toString('hex')}`;
    const sub = new EmbeddedSubscription(this.db, this.file, options, topics, this.prefix, memberId, this.settings, this.log, (topic, partition) => this.tails.get(`${topic}\u0000${partition}`));
    sub.start();
    this.subscriptions.add(sub);
    for (const t of options.topics) this.subscribedTopics.set(t, (this.subscribedTopics.get(t) ?? 0) + 1);
    let stopped = false;
    return {
      stop: async () => {
        await sub.stop();
        this.subscriptions.delete(sub);
        if (stopped) return;
        stopped = true;
        for (const t of options.topics) {
          const n = (this.subscribedTopics.get(t) ?? 1) - 1;
          if (n > 0) this.subscribedTopics.set(t, n);
          else this.subscribedTopics.delete(t);
        }
      },
    };
  }

  health(): LogHealth {
    if (!this.db) return { ok: false, detail: 'embedded log not started' };
    if (this.lastError) return { ok: false, detail: `embedded log: last append failed: ${this.lastError}` };
    return { ok: true, detail: `embedded log at ${this.file}` };
  }

  async close(): Promise<void> {
    clearInterval(this.trimTimer);
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
    this.subscribedTopics.clear();
    this.tails.clear();
    this.db?.close();
    this.db = null;
    this.appendTx = null;
  }

  /** The partition a key goes to (the contract tests compare it with Kafka's). */
  partitionOf(topic: string, key: string): number {
    return partitionFor(key, this.partitionCount(physicalTopic(this.prefix, topic)));
  }

  /** Remembers what was just appended (with its envelope, when given) for this process's subscriptions. */
  private keepTail(records: readonly LogRecord[], appended: readonly Appended[]): void {
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (!this.subscribedTopics.has(r.topic)) continue;
      const at = appended[i]!;
      const hk = `${at.topic}\u0000${at.partition}`;
      let tail = this.tails.get(hk);
      // One batch deep (up to 1.5 × when trimmed): a consumer further behind reads SQLite.
      if (!tail) this.tails.set(hk, (tail = new LocalTail(this.settings.maxBatchRecords)));
      tail.push({ topic: r.topic, partition: at.partition, offset: String(at.offset), key: r.key, value: r.value, timestamp: at.ts, headers: r.headers ?? {}, ...(r.envelope && { envelope: r.envelope }) }, at.offset);
    }
  }

  private prepareAppend(db: Database.Database): (records: readonly LogRecord[]) => Appended[] {
    const head = db.prepare('SELECT MAX("offset") FROM records WHERE topic = ? AND partition = ?').pluck();
    const insert = db.prepare('INSERT INTO records (topic, partition, "offset", key, value, headers, ts) VALUES (?, ?, ?, ?, ?, ?, ?)');
    // One IMMEDIATE transaction per call: takes the write lock first, so two processes never
    // read the same head offset; the heads read inside it are then exact.
    const tx = db.transaction((records: readonly LogRecord[]) => {
      const ts = this.clock.now();
      const heads = new Map<string, number>();
      const appended: Appended[] = [];
      for (const r of records) {
        const topic = physicalTopic(this.prefix, r.topic);
        const partition = partitionFor(r.key, this.partitionCount(topic));
        const hk = `${topic}\u0000${partition}`;
        let next = heads.get(hk);
        if (next === undefined) next = ((head.get(topic, partition) as number | null) ?? -1) + 1;
        const headers = r.headers && Object.keys(r.headers).length > 0 ? JSON.stringify(r.headers) : null;
        insert.run(topic, partition, next, r.key, r.value, headers, ts);
        appended.push({ topic, partition, offset: next, ts });
        heads.set(hk, next + 1);
      }
      return appended;
    });
    return (records) => tx.immediate(records);
  }

  private partitionCount(physical: string): number {
    let n = this.partitions.get(physical);
    if (n === undefined) {
      this.loadTopics(); // another process may have created it since
      n = this.partitions.get(physical);
      if (n === undefined) throw new UnknownTopicError(`embedded log: unknown topic ${physical}`);
    }
    return n;
  }

  private loadTopics(): void {
    const rows = this.db!.prepare('SELECT topic, partitions FROM topics').all() as { topic: string; partitions: number }[];
    for (const r of rows) this.partitions.set(r.topic, r.partitions);
  }
}
