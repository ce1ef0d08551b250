/**
 * The last N event ids applied, for deduplication: the log is at-least-once and the outbox may
 * deliver an event twice under two offsets. Bounded (a ring and a set), persisted with the state
 * a chunk at a time: each snapshot stores only the ids added since the one before (`takeNew`).
 */
export class RecentIds {
  private readonly ring: (string | undefined)[];
  private readonly set = new Set<string>();
  private next = 0;
  /** How many of the newest ids are not persisted yet (at most capacity). */
  private unsaved = 0;

  constructor(readonly capacity: number, initial: readonly string[] = []) {
    this.ring = new Array<string | undefined>(capacity);
    for (const id of initial.slice(-capacity)) this.add(id);
    this.unsaved = 0; // what it starts with is persisted already
  }

  has(id: string): boolean {
    return this.set.has(id);
  }

  /** Remembers `id`; false when it was already there (a duplicate). */
  add(id: string): boolean {
    if (this.set.has(id)) return false;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.set.delete(evicted);
    this.ring[this.next] = id;
    this.set.add(id);
    this.next = (this.next + 1) % this.capacity;
    if (this.unsaved < this.capacity) this.unsaved++;
    return true;
  }

  /** The ids added since the last call, oldest first; they count as persisted from now on. */
  takeNew(): string[] {
    const out: string[] = [];
    for (let i = this.unsaved; i > 0; i--) out.push(this.ring[(this.next - i + this.capacity) % this.capacity]!);
    this.unsaved = 0;
    return out;
  }

  get size(): number {
    return this.set.size;
  }

  /** Oldest first, so reading it back keeps the eviction order. */
  toJSON(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const id = this.ring[(this.next + i) % this.capacity];
      if (id !== undefined) out.push(id);
    }
    return out;
  }
}
