/**
 * Test helpers for projection specs: build valid catalog events at a given time, fold them
 * through a projection (`given(...).then(...)`), and check the snapshot round trip on the way.
 */
import assert from 'node:assert/strict';
import type { z } from 'zod';
import { EnvelopeSchema, type Envelope, type EventDefinition } from '../../events/index.ts';
import type { Derivation, DerivedEvent, Projection } from '../../src/projections/types.ts';

let seq = 0;

export interface EventExtras {
  readonly id?: string;
  readonly source?: string;
  readonly traceparent?: string;
  readonly requestid?: string;
}

/** A validated envelope of `def` at `time` (ISO string or ms). */
export function at<T extends string, S extends z.ZodType>(time: string | number, def: EventDefinition<T, S>, data: z.input<S>, extras: EventExtras = {}): Envelope<T, z.infer<S>> {
  const env = {
    specversion: '1.0' as const,
    id: extras.id ?? `evt-${++seq}`,
    source: extras.source ?? 'test-instance',
    type: def.type,
    time: typeof time === 'number' ? new Date(time).toISOString() : time,
    datacontenttype: 'application/json' as const,
    ...(extras.traceparent !== undefined && { traceparent: extras.traceparent }),
    ...(extras.requestid !== undefined && { requestid: extras.requestid }),
    data: def.data.parse(data),
  };
  EnvelopeSchema.parse(env);
  return env as Envelope<T, z.infer<S>>;
}

/** JSON round trip of a projection's snapshot form. */
function snapshot<S>(p: Projection<S>, state: S): unknown {
  return JSON.parse(JSON.stringify(p.toJSON ? p.toJSON(state) : state));
}

/** Folds `events` through `p` from its initial state; checks that a snapshot reads back to the same snapshot. */
export function given<S>(p: Projection<S>, events: readonly Envelope[]): { state: S; then(check: (state: S) => void): S } {
  let state = p.initialState();
  for (const e of events) state = p.evolve(state, e);
  const snap = snapshot(p, state);
  const back = p.fromJSON ? p.fromJSON(snap) : (snap as S);
  assert.deepEqual(snapshot(p, back), snap, `${p.name}: snapshot does not read back to itself`);
  return { state, then: (check) => (check(state), state) };
}

/** Folds `events` through a derivation, collecting everything it emitted, in order. */
export function derived<S>(d: Derivation<S>, events: readonly Envelope[], initial?: S): { state: S; emitted: DerivedEvent[] } {
  let state = initial ?? d.initialState();
  const emitted: DerivedEvent[] = [];
  for (const e of events) {
    const r = d.derive(state, e);
    state = r.state;
    emitted.push(...r.emitted);
  }
  return { state, emitted };
}

/** Canonical snapshot of a state, for equality between two ways of building it. */
export function canonical<S>(p: Projection<S>, state: S): unknown {
  return snapshot(p, state);
}
