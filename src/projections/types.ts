/**
 * A projection is two pure functions over the event stream. The runner
 * (src/projections/runner.ts) reads the log, applies `evolve`, stores the state together with
 * its position, and only then acknowledges. Nothing here does I/O or reads a global clock:
 * time comes from the event (`envelope.time`) so a rebuild gives the same state.
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
}
