/** Typed views of catalog events for projections: narrow `event.type` in a switch, get typed `data`. */
import type { z } from 'zod';
import type { Envelope, EventDefinition } from '../../events/index.ts';

/** The envelope type of one event definition. */
export type EventOf<D> = D extends EventDefinition<infer T, infer S> ? Envelope<T, z.infer<S>> : never;

/** Milliseconds since the epoch of an ISO time; events are validated, so it parses. */
export function ms(iso: string): number {
  return Date.parse(iso);
}

/** Milliseconds of a nullable ISO time. */
export function msOrNull(iso: string | null | undefined): number | null {
  return iso == null ? null : Date.parse(iso);
}

/** Entries of a map sorted by key: canonical JSON does not depend on arrival order. */
export function sortedEntries<V>(m: ReadonlyMap<string, V>): [string, V][] {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
