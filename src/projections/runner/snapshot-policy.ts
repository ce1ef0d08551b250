/**
 * When a live set writes a snapshot instead of a journal row: once the journal holds as many
 * bytes as a snapshot would (from then on journaling costs more than snapshotting), or after
 * `everyEvents` events or `maxAgeMs`; never twice within `minGapMs`. Between snapshots each
 * batch costs one journal row.
 */
export interface SnapshotPolicyOptions {
  readonly minGapMs?: number;
  readonly maxAgeMs?: number;
  readonly everyEvents?: number;
}

export class SnapshotPolicy {
  private readonly minGapMs: number;
  private readonly maxAgeMs: number;
  private readonly everyEvents: number;
  private sizes = new Map<string, number>();
  private lastAt = 0;
  private journalBytes = 0;
  /** Events applied since the last snapshot (in the journal). */
  events = 0;

  constructor(o: SnapshotPolicyOptions = {}) {
    this.minGapMs = o.minGapMs ?? 1000;
    this.maxAgeMs = o.maxAgeMs ?? 60_000;
    this.everyEvents = o.everyEvents ?? 100_000;
  }

  /** State as loaded: snapshot sizes, and what the journal on top of it held. */
  reset(sizes: Map<string, number>, journalBytes: number, events: number, now: number): void {
    this.sizes = sizes;
    this.journalBytes = journalBytes;
    this.events = events;
    this.lastAt = now;
  }

  /** Whether the batch about to be stored (`incomingBytes` of journal, `incomingEvents`) should be a snapshot. */
  due(incomingBytes: number, incomingEvents: number, now: number): boolean {
    const events = this.events + incomingEvents;
    const elapsed = now - this.lastAt;
    if (events === 0 || elapsed < this.minGapMs) return false;
    let snapshotBytes = 0;
    for (const n of this.sizes.values()) snapshotBytes += n;
    return this.journalBytes + incomingBytes >= snapshotBytes || events >= this.everyEvents || elapsed >= this.maxAgeMs;
  }

  journaled(bytes: number, events: number): void {
    this.journalBytes += bytes;
    this.events += events;
  }

  snapshotted(written: ReadonlyMap<string, string>, now: number): void {
    for (const [name, json] of written) this.sizes.set(name, json.length);
    this.journalBytes = 0;
    this.events = 0;
    this.lastAt = now;
  }
}
