/**
 * The projection runner: reads the log as one consumer group per projection set, decodes each
 * record (unknown types are skipped and counted), drops duplicates by event id, folds the
 * events through the in-memory projections and derivations, publishes what derivations emit,
 * then stores state and per-partition positions in ONE SQLite transaction — and only then lets
 * the log commit the batch. A record at or below the stored position is skipped, so a batch
 * delivered again after a crash between store and acknowledgement is never counted twice.
 *
 * Live, state is stored as snapshot + journal (runner/store.ts, runner/snapshot-policy.ts). A
 * first build or a rebuild (a new generation, read from the beginning) journals nothing until it
 * has caught up, then stores one snapshot; if it fails or crashes midway it starts over.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Envelope } from '../../events/index.ts';
import { decodeEnvelope, UnknownEventError } from '../eventlog/envelope.ts';
import { errorMessage, silentLog, type LogSink } from '../eventlog/logger.ts';
import type { ConsumedRecord, EventLog, RecordBatch, Subscription } from '../eventlog/types.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { packFrames, unpackFrames } from './runner/frames.ts';
import { SetLock } from './runner/lock.ts';
import { MemoryProjections } from './runner/memory.ts';
import { compareOffsets, tpKey } from './runner/offsets.ts';
import { Progress, type Lag } from './runner/progress.ts';
import { RecentIds } from './runner/recent-ids.ts';
import { SnapshotPolicy } from './runner/snapshot-policy.ts';
import { openProjectionsDb, RunnerStore, type BatchWrite } from './runner/store.ts';
import type { AppliedEvent, DerivedEvent, Projection, StoreProjection } from './types.ts';

export { openProjectionsDb } from './runner/store.ts';

/** How long the position past batches that changed nothing may wait for the next commit. */
const IDLE_POSITIONS_EVERY_MS = 1000;
export type { Lag } from './runner/progress.ts';

export interface RunnerOptions {
  readonly log: EventLog;
  /** The projections database, e.g. `<dataDir>/projections.db` (':memory:' keeps nothing). */
  readonly file: string;
  /** Names this set's rows and consumer group; several sets may share one file. */
  readonly setName: string;
  readonly groupPrefix?: string;
  readonly projections?: readonly Projection<unknown>[];
  readonly stores?: readonly StoreProjection[];
  /** Publishes what derivations emitted; must be durable when it resolves (it runs before the store). */
  readonly publish?: (events: readonly DerivedEvent[]) => Promise<void>;
  /** Drop this set's state and read models and replay the log from the beginning. */
  readonly rebuild?: boolean;
  readonly clock?: Clock;
  readonly logger?: LogSink;
  readonly dedupeCapacity?: number;
  readonly snapshotMinGapMs?: number;
  readonly snapshotMaxAgeMs?: number;
  readonly snapshotEveryEvents?: number;
  /** Quiet time before "caught up" is believed (see runner/progress.ts). */
  readonly settleMs?: number;
  /**
   * 'full' (default): a stored batch survives a power loss (fsync per batch). 'normal': it
   * survives a process crash; a power loss may lose the last batches, which are then missing
   * (never counted twice). For views on the request path, where an fsync would stall the loop.
   */
  readonly durability?: 'full' | 'normal';
  /** Called after each stored batch with how many events it applied (for metrics). */
  readonly onApplied?: (count: number) => void;
  /** How long `start` waits for another process running this set to let go (default 20 s). */
  readonly lockWaitMs?: number;
  readonly lockLeaseMs?: number;
}

export interface RunnerStats {
  applied: number;
  duplicates: number;
  /** Records at or below the stored position (delivered again after a crash or rebalance). */
  alreadyApplied: number;
  unknownTypes: number;
  invalid: number;
  emitted: number;
  /** Emissions not published again (journal replays, and rebuilds of what was published before). */
  suppressed: number;
  batches: number;
  snapshots: number;
}

interface Position {
  topic: string;
  partition: number;
  offset: string;
  ts: number;
}

export class ProjectionRunner {
  private readonly counters = { applied: 0, duplicates: 0, alreadyApplied: 0, unknownTypes: 0, invalid: 0, emitted: 0, batches: 0, snapshots: 0 };
  private db: Database.Database | null = null;
  private store: RunnerStore | null = null;
  private sub: Subscription | null = null;
  private lock: SetLock | null = null;
  private readonly memory: MemoryProjections;
  private readonly storesByTopic = new Map<string, StoreProjection[]>();
  private positions = new Map<string, Position>();
  /** Positions past batches that changed nothing, not stored yet (see handle). */
  private readonly unstored = new Map<string, Position>();
  private positionsStoredAt = 0;
  private recent: RecentIds;
  private suppress: Record<string, string> = {};
  private readonly policy: SnapshotPolicy;
  private chain: Promise<void> = Promise.resolve();
  private readonly progress: Progress;
  private readyTimer: NodeJS.Timeout | undefined;
  private groupId = '';
  /** True while this generation has not caught up once (see runner/store.ts). */
  private building = false;
  /** A batch failed while building: memory cannot be restored, so the build starts over. */
  private broken = false;
  /** Grows while builds keep failing (the log or the publisher is down), so they do not spin. */
  private restartDelayMs = 0;
  private stopped = false;
  private readonly clock: Clock;
  private readonly logger: LogSink;

  constructor(private readonly options: RunnerOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLog;
    this.recent = new RecentIds(options.dedupeCapacity ?? 65_536);
    this.progress = new Progress(this.clock, options.settleMs ?? (options.log.kind === 'kafka' ? 1500 : 300));
    this.policy = new SnapshotPolicy({ minGapMs: options.snapshotMinGapMs, maxAgeMs: options.snapshotMaxAgeMs, everyEvents: options.snapshotEveryEvents });
    const names = new Set<string>();
    for (const p of [...(options.projections ?? []), ...(options.stores ?? [])]) {
      if (names.has(p.name)) throw new TypeError(`projection name ${p.name} used twice in set ${options.setName}`);
      names.add(p.name);
    }
    this.memory = new MemoryProjections(options.projections ?? []);
    for (const s of options.stores ?? []) for (const t of s.topics) this.storesByTopic.set(t, [...(this.storesByTopic.get(t) ?? []), s]);
  }

  get stats(): RunnerStats {
    return { ...this.counters, suppressed: this.memory.suppressed };
  }

  /** Opens the store (dropping it first when rebuilding), restores state, and subscribes. */
  async start(): Promise<void> {
    const db = (this.db = openProjectionsDb(this.options.file));
    this.lock = new SetLock(db, this.options.setName, this.options.lockLeaseMs);
    try {
      await this.lock.acquire(this.options.lockWaitMs ?? 20_000);
    } catch (err) {
      db.close();
      this.db = null;
      throw err;
    }
    const store = (this.store = new RunnerStore(db, this.options.setName));
    const existing = store.meta();
    if (this.options.rebuild) this.dropAll('rebuild requested');
    else if (existing?.building) this.dropAll('an earlier build did not finish');
    else if (!existing) store.createMeta({ generation: randomBytes(6).toString('hex'), suppressThrough: {}, building: true }, this.clock.now());
    for (const s of this.options.stores ?? []) s.setup(db);
    await this.follow();
    this.readyTimer = setInterval(() => {
      if (!this.progress.check()) return;
      if (this.building && !this.broken) void this.serialized(async () => this.finishBuild()).catch(() => {});
      else if (!this.building) clearInterval(this.readyTimer);
    }, 50);
    this.readyTimer.unref();
  }

  /** Stops consuming, writes a final snapshot (a restart then replays no journal), closes the store. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.readyTimer);
    await this.sub?.stop();
    this.sub = null;
    await this.serialized(async () => {
      // Every batch handled is committed by the log now, so even a build can end here consistently.
      if (this.building && !this.broken) this.finishBuild();
      else if (!this.building && this.store && (this.policy.events > 0 || this.unstored.size > 0)) {
        this.store.commit({ positions: this.unstored, ...(this.policy.events > 0 && { snapshot: this.snapshot() }) }, () => {});
        this.unstored.clear();
      }
    });
    this.lock?.release();
    this.lock = null;
    this.db?.close();
    this.db = null;
    this.store = null;
  }

  /** The current state of an in-memory projection (re-read it on every use: a recovery replaces it). */
  state<S>(name: string): S {
    if (!this.memory.has(name)) throw new TypeError(`no projection named ${name} in set ${this.options.setName}`);
    return this.memory.state(name) as S;
  }

  /** Resolves when the runner has caught up with the log as it was at start. */
  get ready(): Promise<void> {
    return this.progress.ready;
  }

  isReady(): boolean {
    return this.progress.check();
  }

  lag(): Lag {
    return this.progress.lag();
  }

  get consumerGroup(): string {
    return this.groupId;
  }

  /** Time-driven emissions of every derivation at `nowMs` (key expiry); pure, publishes nothing. */
  scan(nowMs: number): DerivedEvent[] {
    return this.memory.scan(nowMs);
  }

  /** Canonical JSON of every in-memory projection (what a snapshot holds), for comparisons. */
  snapshotJson(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const p of this.memory.projections) {
      const state = this.memory.state(p.name);
      out[p.name] = JSON.parse(JSON.stringify(p.toJSON ? p.toJSON(state) : state));
    }
    return out;
  }

  private serialized(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => {});
    return run;
  }

  /** Loads the stored state of the current generation and subscribes as its consumer group. */
  private async follow(): Promise<void> {
    const meta = this.store!.meta()!;
    this.suppress = meta.suppressThrough;
    this.building = meta.building;
    this.store!.setBuilding(this.building, this.options.durability !== 'normal');
    this.groupId = `${this.options.groupPrefix ?? 'jarvis.projections'}.${this.options.setName}.${meta.generation}`;
    this.load();
    this.sub = await this.options.log.subscribe({
      groupId: this.groupId,
      topics: [...new Set([...this.memory.topics, ...this.storesByTopic.keys()])],
      fromBeginning: true,
      onBatch: (batch) => this.serialized(() => this.handle(batch)),
    });
    // Counted from here: joining a Kafka group can take seconds, and nothing arrives before it.
    this.progress.started();
  }

  /**
   * Drops the set and its store-backed read models and starts a new generation (building).
   * What the old one had applied was derived and published already: remember it, emit it not again.
   */
  private dropAll(reason: string): void {
    const store = this.store!;
    const through: Record<string, string> = { ...(store.meta()?.suppressThrough ?? {}) };
    for (const [key, p] of store.positions()) if (!through[key] || compareOffsets(p.offset, through[key]) > 0) through[key] = p.offset;
    store.reset();
    for (const s of this.options.stores ?? []) {
      s.drop(this.db!);
      s.setup(this.db!);
    }
    store.createMeta({ generation: randomBytes(6).toString('hex'), suppressThrough: through, building: true }, this.clock.now());
    this.logger.info({ set: this.options.setName, reason }, 'projections: read models dropped; replaying the log from the beginning');
  }

  /** After a failure while building: leave the group, drop what was built, and build again. */
  private async restartBuild(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.sub?.stop();
      this.sub = null;
      await this.serialized(async () => {
        this.dropAll('a batch failed while building');
        this.progress.reset();
        this.broken = false;
      });
      if (!this.stopped) await this.follow();
    } catch (err) {
      this.logger.error({ set: this.options.setName, err: errorMessage(err) }, 'projections: could not restart the build; retrying in 1 s');
      if (!this.stopped) setTimeout(() => void this.restartBuild(), 1000).unref();
    }
  }

  /** Caught up for the first time: one fsynced snapshot with every position ends the build. */
  private finishBuild(): void {
    if (!this.building || !this.store) return;
    const snapshot = this.snapshot(true);
    this.store.setBuilding(false, this.options.durability !== 'normal');
    this.store.commit({ positions: this.positions, snapshot, built: true }, () => {});
    this.positionsStoredAt = this.clock.now();
    this.building = false;
    this.restartDelayMs = 0;
    this.logger.info({ set: this.options.setName, applied: this.counters.applied }, 'projections: build caught up');
  }

  /** Restores memory from the store: snapshot, then the journal on top, then positions. */
  private load(): void {
    const store = this.store!;
    const sizes = this.memory.restore(store.snapshots());
    this.recent = new RecentIds(this.recent.capacity, store.recentIds());
    let events = 0;
    let bytes = 0;
    for (const row of store.journal()) {
      for (const value of unpackFrames(row.value)) {
        const env = this.decode(value);
        if (env && this.recent.add(env.id)) this.memory.apply(row.topic, env, null);
        events++;
      }
      bytes += row.value.length;
    }
    this.policy.reset(sizes, bytes, events, this.clock.now());
    this.positions = new Map();
    this.unstored.clear();
    for (const [key, p] of store.positions()) {
      this.positions.set(key, { topic: p.topic, partition: p.partition, offset: p.offset, ts: p.ts });
      this.progress.restore(key, p.offset, p.ts);
    }
  }

  private decode(value: Buffer): Envelope | null {
    try {
      return decodeEnvelope(value);
    } catch (err) {
      if (err instanceof UnknownEventError) this.counters.unknownTypes++;
      else {
        this.counters.invalid++;
        if (this.counters.invalid <= 10) this.logger.warn({ set: this.options.setName, err: errorMessage(err).slice(0, 200) }, 'projections: skipped an invalid record');
      }
      return null;
    }
  }

  private snapshot(all = false): NonNullable<BatchWrite['snapshot']> {
    const states = this.memory.serialize(all);
    const at = this.clock.now();
    this.policy.snapshotted(states, at);
    this.counters.snapshots++;
    return { states, newIds: this.recent.takeNew(), keepIds: this.recent.capacity, at };
  }

  private async handle(batch: RecordBatch): Promise<void> {
    if (this.broken) throw new Error('projections: the build is starting over');
    const key = tpKey(batch.topic, batch.partition);
    this.progress.observe(key, batch.highWatermark);
    const stored = this.positions.get(key)?.offset;
    const stores = this.storesByTopic.get(batch.topic) ?? [];
    const suppressTo = this.suppress[key];
    const journal: Buffer[] = [];
    const applied: AppliedEvent[] = [];
    const emitted: DerivedEvent[] = [];
    let last: ConsumedRecord | undefined;
    const appliedBefore = this.counters.applied;
    try {
      for (const r of batch.records) {
        if (stored !== undefined && compareOffsets(r.offset, stored) <= 0) {
          this.counters.alreadyApplied++;
          continue;
        }
        last = r;
        // An envelope this process published comes decoded with the record (the embedded log's tail).
        const env = r.envelope ?? this.decode(r.value);
        if (!env) continue;
        if (stores.length === 0 && !this.memory.wants(batch.topic, env)) {
          // No projection of this set can act on it: folding it would change nothing, so it is
          // neither remembered for deduplication nor journaled (a granted request, for most sets).
          this.counters.applied++;
          continue;
        }
        if (!this.recent.add(env.id)) {
          this.counters.duplicates++;
          continue;
        }
        const replaying = suppressTo !== undefined && compareOffsets(r.offset, suppressTo) <= 0;
        // Journaled only when a projection took it: replaying the others would change nothing.
        const took = this.memory.apply(batch.topic, env, replaying ? null : emitted);
        if (took && !this.building) journal.push(r.value);
        if (stores.length > 0) applied.push({ envelope: env, topic: batch.topic, partition: batch.partition, offset: r.offset, timestamp: r.timestamp });
        this.counters.applied++;
      }
      if (!last) return;
      if (emitted.length > 0 && this.options.publish) {
        await this.options.publish(emitted);
        this.counters.emitted += emitted.length;
      }
      const position: Position = { topic: batch.topic, partition: batch.partition, offset: last.offset, ts: last.timestamp };
      const applyStores = () => {
        if (applied.length > 0) for (const s of stores) s.applyBatch(this.db!, applied);
      };
      if (this.building) {
        // Nothing to journal: a build that stops midway starts over. Store-backed rows still go in.
        if (applied.length > 0) this.store!.commit({ positions: new Map() }, applyStores);
      } else {
        const now = this.clock.now();
        const packed = journal.length > 0 ? packFrames(journal) : null;
        const snap = this.policy.due(packed?.length ?? 0, journal.length, now);
        if (!snap && !packed && applied.length === 0 && now - this.positionsStoredAt < IDLE_POSITIONS_EVERY_MS) {
          // Nothing in this batch changed the state: its position is stored later, with the next
          // commit. A crash before then only makes these records come again, changing nothing again.
          this.unstored.set(key, position);
        } else {
          if (!snap && packed) this.policy.journaled(packed.length, journal.length);
          const positions = new Map(this.unstored).set(key, position);
          const write: BatchWrite = { positions, ...(snap ? { snapshot: this.snapshot() } : packed ? { journal: [{ topic: batch.topic, value: packed }] } : {}) };
          this.store!.commit(write, applyStores);
          this.unstored.clear();
          this.positionsStoredAt = now;
        }
      }
      this.positions.set(key, position);
      this.progress.applied(key, position.offset, position.ts);
      this.counters.batches++;
    } catch (err) {
      const where = { set: this.options.setName, topic: batch.topic, partition: batch.partition, err: errorMessage(err) };
      if (this.building) {
        this.logger.warn(where, 'projections: batch failed while building; the build starts over');
        this.broken = true;
        this.restartDelayMs = Math.min(30_000, Math.max(500, this.restartDelayMs * 2));
        setTimeout(() => void this.restartBuild(), this.restartDelayMs).unref();
      } else {
        this.logger.warn(where, 'projections: batch failed; state restored from the store');
        this.load();
      }
      throw err;
    }
    if (applied.length > 0) for (const s of stores) s.afterCommit?.(applied);
    this.options.onApplied?.(this.counters.applied - appliedBefore);
    if (this.progress.check() && this.building) this.finishBuild();
  }
}
