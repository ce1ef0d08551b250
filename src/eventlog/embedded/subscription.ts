/**
 * One consumer of the embedded log: a loop that rebalances the group on a heartbeat, reads
 * each owned partition from the group's committed position, hands the batch to `onBatch`, and
 * commits only after it resolved (at-least-once; a throwing handler gets the batch again after
 * a backoff). When there is nothing to read it sleeps until an in-process append wakes it, or
 * SQLite's `data_version` shows a commit from another process (checked every `pollMs`).
 */
import type Database from 'better-sqlite3';
import type { SubscribeOptions, Subscription } from '../types.ts';
import { errorMessage, type LogSink } from '../logger.ts';
import { logicalTopic } from '../topics.ts';
import { GroupMember, type TopicPartition } from './group.ts';
import type { LocalTail } from './tail.ts';
import { onAppend } from './wake.ts';

export interface EmbeddedConsumerSettings {
  readonly pollMs: number;
  readonly heartbeatMs: number;
  readonly leaseMs: number;
  readonly maxBatchRecords: number;
  /** Under a steady trickle, the shortest time between two passes: batches grow instead of commits multiplying. */
  readonly minPassMs: number;
}

interface Row {
  offset: number;
  key: string;
  value: Buffer;
  headers: string | null;
  ts: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class EmbeddedSubscription implements Subscription {
  private stopping = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private dataVersion = 0;
  private nextRebalance = 0;
  private owned: TopicPartition[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private unlisten: () => void = () => {};
  /** The group's next offset per owned partition (ours to move while we hold the lease); cleared on rebalance. */
  private readonly positions = new Map<string, number>();
  /**
   * Partitions read up to their head since the last commit by another connection: new records
   * there can only be this process's own, which its LocalTail holds.
   */
  private readonly drained = new Set<string>();
  /** Drained partitions whose head must be compared with the tail since another connection committed. */
  private readonly recheck = new Set<string>();
  private readonly member: GroupMember;
  private readonly read;
  private readonly position;
  private readonly head;
  /** `PRAGMA data_version`, prepared once (db.pragma() compiles the statement on every call). */
  private readonly dataVersionStmt;

  constructor(
    private readonly db: Database.Database,
    private readonly file: string,
    private readonly options: SubscribeOptions,
    /** Physical topic → partition count. */
    private readonly topics: ReadonlyMap<string, number>,
    private readonly prefix: string,
    memberId: string,
    private readonly settings: EmbeddedConsumerSettings,
    private readonly log: LogSink,
    /** This process's recent appends to a physical topic-partition, if any. */
    private readonly tailOf: (topic: string, partition: number) => LocalTail | undefined = () => undefined,
  ) {
    this.member = new GroupMember(db, options.groupId, memberId, topics, settings.leaseMs);
    this.read = db.prepare('SELECT "offset", key, value, headers, ts FROM records WHERE topic = ? AND partition = ? AND "offset" >= ? ORDER BY "offset" LIMIT ?');
    this.position = db.prepare('SELECT next_offset FROM positions WHERE group_id = ? AND topic = ? AND partition = ?').pluck();
    this.head = db.prepare('SELECT MAX("offset") FROM records WHERE topic = ? AND partition = ?').pluck();
    this.dataVersionStmt = db.prepare('PRAGMA data_version').pluck();
  }

  /** Changes whenever another connection commits to the file. */
  private version(): number {
    return this.dataVersionStmt.get() as number;
  }

  /** Sets the starting position of partitions the group has never committed, joins, and starts the loop. */
  start(): void {
    const init = this.db.prepare('INSERT OR IGNORE INTO positions (group_id, topic, partition, next_offset) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const [topic, n] of this.topics) {
        for (let p = 0; p < n; p++) {
          const head = this.head.get(topic, p) as number | null;
          init.run(this.options.groupId, topic, p, this.options.fromBeginning || head === null ? 0 : head + 1);
        }
      }
    }).immediate();
    this.dataVersion = this.version();
    this.owned = this.member.rebalance(Date.now());
    this.nextRebalance = Date.now() + this.settings.heartbeatMs;
    this.unlisten = onAppend(this.file, () => this.wake());
    // Keeps leases alive while a slow handler holds the loop.
    this.heartbeat = setInterval(() => {
      try {
        this.member.renew(Date.now());
      } catch (err) {
        this.log.warn({ group: this.options.groupId, err: errorMessage(err) }, 'embedded log: heartbeat failed');
      }
    }, this.settings.heartbeatMs);
    this.heartbeat.unref();
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    if (this.stopping) return this.loopDone;
    this.stopping = true;
    this.wake();
    await this.loopDone;
    clearInterval(this.heartbeat);
    this.unlisten();
    try {
      this.member.leave();
    } catch (err) {
      this.log.warn({ group: this.options.groupId, err: errorMessage(err) }, 'embedded log: leaving the group failed');
    }
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    let backoff = 0;
    while (!this.stopping) {
      try {
        if (Date.now() >= this.nextRebalance) {
          this.owned = this.member.rebalance(Date.now());
          this.nextRebalance = Date.now() + this.settings.heartbeatMs;
          this.positions.clear();
          this.drained.clear();
          this.recheck.clear();
        }
        // Another connection committed. If it appended, what it wrote is only in SQLite: each drained
        // partition's head is checked against what this process knows before its tail is trusted
        // again (a commit of positions or leases alone leaves the heads where they were).
        const version = this.version();
        if (version !== this.dataVersion) {
          this.dataVersion = version;
          for (const key of this.drained) this.recheck.add(key);
        }
        this.woken = false;
        const passStart = Date.now();
        let delivered = 0;
        let full = false;
        for (const tp of this.owned) {
          if (this.stopping) break;
          const n = await this.deliver(tp);
          if (n > 0) delivered++;
          if (n >= this.settings.maxBatchRecords) full = true;
        }
        backoff = 0;
        if (delivered === 0 && !this.woken) await this.idle();
        else if (delivered > 0 && !full && !this.stopping) {
          const wait = this.settings.minPassMs - (Date.now() - passStart);
          if (wait > 0) await sleep(wait);
        }
      } catch (err) {
        backoff = Math.min(backoff === 0 ? 100 : backoff * 2, 5000);
        this.log.warn({ group: this.options.groupId, err: errorMessage(err), retryInMs: backoff }, 'embedded log: batch failed, retrying');
        await sleep(backoff);
      }
    }
  }

  /** Reads and hands over one batch of `tp`; how many records it had. Throws when the handler did. */
  private async deliver(tp: TopicPartition): Promise<number> {
    const { groupId, onBatch } = this.options;
    const key = `${tp.topic}\u0000${tp.partition}`;
    let from = this.positions.get(key);
    if (from === undefined) {
      from = (this.position.get(groupId, tp.topic, tp.partition) as number | undefined) ?? 0;
      this.positions.set(key, from);
    }
    const max = this.settings.maxBatchRecords;
    if (this.recheck.delete(key) && this.drained.has(key)) {
      const newest = (this.head.get(tp.topic, tp.partition) as number | null) ?? -1;
      const known = Math.max(from, this.tailOf(tp.topic, tp.partition)?.next ?? from) - 1;
      if (newest !== known) this.drained.delete(key);
    }
    const tail = this.drained.has(key) ? this.tailOf(tp.topic, tp.partition) : undefined;
    let records = tail?.read(from, max) ?? null;
    let head: number;
    if (records) {
      head = tail!.next - 1;
    } else if (this.drained.has(key) && !tail) {
      return 0; // drained, and nothing appended here since by this process
    } else {
      const rows = this.read.all(tp.topic, tp.partition, from, max) as Row[];
      const topic = logicalTopic(this.prefix, tp.topic);
      records = rows.map((r) => ({
        topic,
        partition: tp.partition,
        offset: String(r.offset),
        key: r.key,
        value: r.value,
        timestamp: r.ts,
        headers: r.headers === null ? {} : (JSON.parse(r.headers) as Record<string, string>),
      }));
      head = records.length > 0 ? (this.head.get(tp.topic, tp.partition) as number) : from - 1;
      if (records.length < max) this.drained.add(key);
    }
    if (records.length === 0) return 0;
    const topic = records[0]!.topic;
    await onBatch({ topic, partition: tp.partition, records, highWatermark: String(Math.max(head, Number(records[records.length - 1]!.offset))) });
    const next = Number(records[records.length - 1]!.offset) + 1;
    if (this.member.commit(tp, next, Date.now())) {
      this.positions.set(key, next);
    } else {
      // Lost the lease while handling: the new owner re-reads from the last commit (at-least-once).
      this.log.info({ group: groupId, topic, partition: tp.partition }, 'embedded log: partition moved to another member before commit');
      this.positions.delete(key);
      this.drained.delete(key);
      this.recheck.delete(key);
      this.nextRebalance = 0;
    }
    return records.length;
  }

  /** Waits for an in-process append, a commit by another connection, a rebalance or stop. */
  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        const v = this.version();
        // The loop notes the new version itself (and then reads every partition from SQLite).
        if (v !== this.dataVersion || Date.now() >= this.nextRebalance) done();
      }, this.settings.pollMs);
      const done = () => {
        clearInterval(timer);
        this.wakeUp = null;
        resolve();
      };
      this.wakeUp = done;
    });
  }
}
