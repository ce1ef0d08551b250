/**
 * A circuit breaker per provider, on the injected clock. Closed: requests flow, consecutive
 * failures are counted. Open (after `failures` in a row): requests are refused without calling
 * the provider, so a provider that is down is not hammered. After `cooldownMs` it is half-open:
 * exactly one request goes through as a probe; its success closes the breaker, its failure
 * opens it for another cool-down.
 */
import type { Clock } from '../shared/clock.ts';
import type { BreakerState } from './types.ts';

export interface Breaker {
  state(): BreakerState;
  /** Claims the right to call the provider now; false while open or while the half-open probe is out. */
  tryAcquire(): boolean;
  /** Returns an acquired slot without a verdict (client went away, bad request): the probe may go again. */
  release(): void;
  success(): void;
  failure(): void;
  /** Milliseconds until an open breaker lets a probe through (0 when not open). */
  retryInMs(): number;
}

export interface BreakerOptions {
  readonly failures: number;
  readonly cooldownMs: number;
  readonly clock: Clock;
  readonly onChange?: (state: BreakerState) => void;
}

/** Creates a closed breaker. */
export function createBreaker(opts: BreakerOptions): Breaker {
  let consecutive = 0;
  let openedAt: number | null = null;
  let probing = false;
  let last: BreakerState = 'closed';

  const compute = (): BreakerState => {
    if (openedAt === null) return 'closed';
    return opts.clock.now() - openedAt >= opts.cooldownMs ? 'half_open' : 'open';
  };
  const state = (): BreakerState => {
    const s = compute();
    if (s !== last) {
      last = s;
      opts.onChange?.(s);
    }
    return s;
  };

  return {
    state,
    tryAcquire() {
      const s = state();
      if (s === 'closed') return true;
      if (s === 'open' || probing) return false;
      probing = true;
      return true;
    },
    release() {
      probing = false;
    },
    success() {
      consecutive = 0;
      openedAt = null;
      probing = false;
      state();
    },
    failure() {
      const wasHalfOpen = compute() === 'half_open';
      probing = false;
      consecutive += 1;
      if (wasHalfOpen || consecutive >= opts.failures) openedAt = opts.clock.now();
      state();
    },
    retryInMs() {
      if (openedAt === null) return 0;
      return Math.max(0, openedAt + opts.cooldownMs - opts.clock.now());
    },
  };
}
