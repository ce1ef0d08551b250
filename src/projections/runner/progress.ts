/**
 * Readiness and lag of one runner. "Ready" means caught up with what the log held when the
 * runner started: every partition that delivered has reached the newest offset its first
 * batch reported, and no partition has shown up for `settleMs` (one that never delivers
 * had nothing to read). The EventLog contract reports a high watermark only with a batch, so
 * this is the earliest moment the runner can know it.
 */
import type { Clock } from '../../shared/clock.ts';
import { compareOffsets, offsetDistance } from './offsets.ts';

interface PartitionProgress {
  offset: string | null;
  ts: number;
  firstHighWatermark: string | null;
  highWatermark: string | null;
}

export interface Lag {
  /** Records in the log not yet applied, over all partitions seen. */
  readonly events: number;
  /** Age of the oldest partition that is behind (0 when caught up). */
  readonly seconds: number;
}

export class Progress {
  private readonly parts = new Map<string, PartitionProgress>();
  private startedAt = Number.POSITIVE_INFINITY;
  private lastNewAt = 0;
  private isReady = false;
  private resolveReady!: () => void;
  /** Resolves once, when the runner first caught up. */
  readonly ready: Promise<void> = new Promise((r) => (this.resolveReady = r));

  constructor(private readonly clock: Clock, private readonly settleMs: number) {}

  /** A position restored from the store. */
  restore(key: string, offset: string, ts: number): void {
    const p = this.parts.get(key);
    if (p) {
      p.offset = offset;
      p.ts = ts;
    } else this.parts.set(key, { offset, ts, firstHighWatermark: null, highWatermark: null });
  }

  started(): void {
    this.startedAt = this.clock.now();
  }

  /** Forgets every partition (a build starting over); the `ready` promise stays the same. */
  reset(): void {
    this.parts.clear();
    this.lastNewAt = 0;
  }

  /** A batch arrived for `key`, reporting the newest offset of its partition. */
  observe(key: string, highWatermark: string): void {
    let p = this.parts.get(key);
    if (!p) this.parts.set(key, (p = { offset: null, ts: 0, firstHighWatermark: null, highWatermark: null }));
    if (p.firstHighWatermark === null) {
      p.firstHighWatermark = highWatermark;
      this.lastNewAt = this.clock.now();
    }
    p.highWatermark = highWatermark;
  }

  applied(key: string, offset: string, ts: number): void {
    const p = this.parts.get(key);
    if (p) {
      p.offset = offset;
      p.ts = ts;
    }
  }

  /** Re-evaluates readiness; true once ready (it never goes back). */
  check(): boolean {
    if (this.isReady) return true;
    const now = this.clock.now();
    if (now - Math.max(this.startedAt, this.lastNewAt) < this.settleMs) return false;
    for (const p of this.parts.values()) {
      if (p.firstHighWatermark !== null && (p.offset === null || compareOffsets(p.offset, p.firstHighWatermark) < 0)) return false;
    }
    this.isReady = true;
    this.resolveReady();
    return true;
  }

  get caughtUp(): boolean {
    return this.isReady;
  }

  lag(): Lag {
    const now = this.clock.now();
    let events = 0;
    let oldest = now;
    for (const p of this.parts.values()) {
      if (p.highWatermark === null) continue;
      const behind = p.offset === null ? offsetDistance('0', p.highWatermark) + 1 : offsetDistance(p.offset, p.highWatermark);
      if (behind > 0) {
        events += behind;
        if (p.ts > 0 && p.ts < oldest) oldest = p.ts;
      }
    }
    return { events, seconds: events === 0 ? 0 : Math.max(0, (now - oldest) / 1000) };
  }
}
