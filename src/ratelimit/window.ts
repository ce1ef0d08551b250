/**
 * An exact sliding-window log: the admission times of the last `capacity` requests for one
 * key, in a ring. A request is admitted when fewer than `capacity` fall inside the window.
 * Checks are synchronous, so concurrent requests on one instance can never overshoot.
 */
export class SlidingLog {
  // Starts small and doubles up to `capacity`: memory follows the traffic, not the limit.
  private times: Float64Array;
  private head = 0; // index of the oldest entry
  private size = 0;

  constructor(readonly capacity: number) {
    this.times = new Float64Array(Math.max(1, Math.min(capacity, 16)));
  }

  private grow(): void {
    const next = new Float64Array(Math.min(this.capacity, this.times.length * 2));
    for (let i = 0; i < this.size; i++) next[i] = this.times[(this.head + i) % this.times.length]!;
    this.times = next;
    this.head = 0;
  }

  /** Drops entries at or before `nowMs - windowMs`; returns how many remain. */
  count(nowMs: number, windowMs: number): number {
    const cutoff = nowMs - windowMs;
    while (this.size > 0 && this.times[this.head]! <= cutoff) {
      this.head = (this.head + 1) % this.times.length;
      this.size--;
    }
    return this.size;
  }

  /** Records an admission (the caller has checked there is room). */
  add(nowMs: number): void {
    if (this.size === this.times.length && this.times.length < this.capacity) this.grow();
    if (this.size === this.times.length) {
      this.head = (this.head + 1) % this.times.length;
      this.size--;
    }
    this.times[(this.head + this.size) % this.times.length] = nowMs;
    this.size++;
  }

  /** Epoch ms of the oldest admission still counted, or undefined when empty. */
  oldest(): number | undefined {
    return this.size > 0 ? this.times[this.head] : undefined;
  }

  newest(): number | undefined {
    return this.size > 0 ? this.times[(this.head + this.size - 1) % this.times.length] : undefined;
  }
}
