/**
 * The in-memory projections of one set: their states, which topics feed which projection,
 * folding an event through them (collecting what derivations emit), and their snapshot form.
 */
import type { Envelope } from '../../../events/index.ts';
import { isDerivation, type DerivedEvent, type Projection } from '../types.ts';

export class MemoryProjections {
  private readonly states = new Map<string, unknown>();
  private readonly byTopic = new Map<string, Projection<unknown>[]>();
  /** Changed since the last snapshot. */
  private readonly dirty = new Set<string>();
  /** Emissions dropped because the events were derived before (replays, rebuilds). */
  suppressed = 0;

  constructor(readonly projections: readonly Projection<unknown>[]) {
    for (const p of projections) for (const t of p.topics) this.byTopic.set(t, [...(this.byTopic.get(t) ?? []), p]);
  }

  get topics(): string[] {
    return [...this.byTopic.keys()];
  }

  reads(topic: string): boolean {
    return this.byTopic.has(topic);
  }

  /** Sets every state from its snapshot (JSON text) or to its initial state; returns the snapshot sizes. */
  restore(snapshots: ReadonlyMap<string, string>): Map<string, number> {
    const sizes = new Map<string, number>();
    for (const p of this.projections) {
      const json = snapshots.get(p.name);
      this.states.set(p.name, json === undefined ? p.initialState() : p.fromJSON ? p.fromJSON(JSON.parse(json)) : JSON.parse(json));
      sizes.set(p.name, json?.length ?? 0);
    }
    this.dirty.clear();
    return sizes;
  }

  /** True when some projection reading `topic` accepts `env` (see Projection.accepts). */
  wants(topic: string, env: Envelope): boolean {
    const list = this.byTopic.get(topic);
    if (!list) return false;
    for (const p of list) if (!p.accepts || p.accepts(env)) return true;
    return false;
  }

  /**
   * Folds `env` (from `topic`) through the projections that accept it; derived events go to
   * `emitted`, or are dropped when null. False when none accepted it (nothing to journal).
   */
  apply(topic: string, env: Envelope, emitted: DerivedEvent[] | null): boolean {
    const list = this.byTopic.get(topic);
    if (!list) return false;
    let applied = false;
    for (const p of list) {
      if (p.accepts && !p.accepts(env)) continue;
      applied = true;
      const state = this.states.get(p.name);
      if (isDerivation(p)) {
        const r = p.derive(state, env);
        this.states.set(p.name, r.state);
        if (r.emitted.length > 0) {
          if (emitted) emitted.push(...r.emitted);
          else this.suppressed += r.emitted.length;
        }
      } else {
        this.states.set(p.name, p.evolve(state, env));
      }
      this.dirty.add(p.name);
    }
    return applied;
  }

  has(name: string): boolean {
    return this.states.has(name);
  }

  state(name: string): unknown {
    return this.states.get(name);
  }

  /** JSON text of the projections that changed (all of them with `all`); marks them clean. */
  serialize(all = false): Map<string, string> {
    const out = new Map<string, string>();
    for (const p of this.projections) {
      if (!all && !this.dirty.has(p.name)) continue;
      const state = this.states.get(p.name);
      out.set(p.name, JSON.stringify(p.toJSON ? p.toJSON(state) : state));
    }
    this.dirty.clear();
    return out;
  }

  /** Time-driven emissions of every derivation at `nowMs`. */
  scan(nowMs: number): DerivedEvent[] {
    const out: DerivedEvent[] = [];
    for (const p of this.projections) if (isDerivation(p) && p.scan) out.push(...p.scan(this.states.get(p.name), nowMs));
    return out;
  }
}
