/**
 * A projection is two pure functions over the event stream. The runner
 * (src/projections/runner.ts) reads the log, applies `evolve`, stores the state together with
 * its position, and only then acknowledges. Nothing here does I/O or reads a global clock:
 * time comes from the event (`envelope.time`) so a rebuild gives the same state.
 *
 * Ownership: `evolve` may update the state it is given and return that same object. Copying a
 * map of ten thousand sessions or counters on every event would cap a rebuild far below the
 * 50,000 events/s we need, so the state is owned by whoever folds the events (the runner, or a
 * test's `given`) and an old reference is never reused. What stays pure: the same events in
 * the same order always give the same state — no clock, no randomness, no I/O.
 */
import type { Envelope } from '../../events/index.ts';

export interface Projection<S> {
  /** Stable name; the runner stores state and positions under it. */
  readonly name: string;
  /** Topics whose events this projection reads. */
  readonly topics: readonly string[];
  initialState(): S;
  /** Returns the new state (or the same one when the event does not concern it). */
  evolve(state: S, event: Envelope): S;
  /**
   * Whether `event` can change the state (or, for a derivation, emit anything). The runner neither
   * applies nor journals an event no projection of its set accepts: most events on a busy topic
   * (granted requests) concern none of them. Default: every event of its topics.
   */
  accepts?(event: Envelope): boolean;
  /**
   * The state as plain JSON, canonical: two states that answer every query alike serialize
   * alike (sorted, pruned), so snapshots are comparable. Default: the state itself.
   */
  toJSON?(state: S): unknown;
  /** Reads back what `toJSON` wrote. Default: the JSON itself. */
  fromJSON?(json: unknown): S;
}

/** An event a derivation wants published: a complete envelope with a deterministic id. */
export interface DerivedEvent {
  readonly topic: string;
  /** Partition key. */
  readonly key: string;
  readonly envelope: Envelope;
}

/** What `derive` returns: the next state and the events to publish because of this one. */
export interface Derived<S> {
  readonly state: S;
  readonly emitted: readonly DerivedEvent[];
}

/**
 * A projection that also produces events (the security stream, automatic blocks). Emitted ids
 * are a function of the causing event, so replaying the same events emits the same ids and
 * consumers deduplicate them.
 */
export interface Derivation<S> extends Projection<S> {
  derive(state: S, event: Envelope): Derived<S>;
  /** Time-driven detections (key expiry) at `nowMs`; pure, does not change the state. */
  scan?(state: S, nowMs: number): readonly DerivedEvent[];
}

/** True when `p` produces events as well as state. */
export function isDerivation<S>(p: Projection<S>): p is Derivation<S> {
  return typeof (p as Partial<Derivation<S>>).derive === 'function';
}

/** One event as a store-backed projection receives it: decoded, deduplicated, with its position. */
export interface AppliedEvent {
  readonly envelope: Envelope;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** When the log stored it (ms). */
  readonly timestamp: number;
}

/**
 * A projection whose state lives in SQL tables (the audit read model): the runner hands it
 * its connection to projections.db and calls `applyBatch` inside the same transaction that
 * stores the positions, so its rows and its position can never disagree.
 * `db` is a better-sqlite3 Database; typed structurally to keep this file free of drivers.
 */
export interface StoreProjection<DB = import('better-sqlite3').Database> {
  readonly name: string;
  readonly topics: readonly string[];
  /** Creates its tables if missing; called when the runner opens. */
  setup(db: DB): void;
  /** Drops its tables (`--rebuild`); `setup` runs again afterwards. */
  drop(db: DB): void;
  /** Applies new events of its topics, in log order per partition. Throwing rolls the batch back. */
  applyBatch(db: DB, events: readonly AppliedEvent[]): void;
  /** After the transaction committed (e.g. to feed a live tail). Must not throw. */
  afterCommit?(events: readonly AppliedEvent[]): void;
}
