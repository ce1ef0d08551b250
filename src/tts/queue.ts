/**
 * The job queue: at most `concurrency` jobs synthesize at once, at most `max` wait. A job is
 * admitted (or refused) when it is requested, before any response header is sent, so a full
 * queue can still answer 503.
 */

/** A place in the queue. `started` resolves when a slot is free. */
export interface Ticket {
  readonly started: Promise<void>;
  /** Frees the slot (or the waiting place); idempotent. */
  release(): void;
}

export interface JobQueue {
  /** Admits a job or returns undefined when the queue is full. */
  enter(): Ticket | undefined;
  readonly active: number;
  readonly waiting: number;
  readonly concurrency: number;
  readonly max: number;
}

export function createJobQueue(concurrency: number, max: number): JobQueue {
  let active = 0;
  const waiting: Array<() => void> = [];

  function next(): void {
    while (active < concurrency && waiting.length > 0) {
      active++;
      waiting.shift()!();
    }
  }

  return {
    concurrency,
    max,
    get active() {
      return active;
    },
    get waiting() {
      return waiting.length;
    },
    enter() {
      if (active >= concurrency && waiting.length >= max) return undefined;
      let state: 'waiting' | 'running' | 'done' = 'waiting';
      let start!: () => void;
      const started = new Promise<void>((resolve) => {
        start = () => {
          state = 'running';
          resolve();
        };
      });
      if (active < concurrency) {
        active++;
        start();
      } else {
        waiting.push(start);
      }
      return {
        started,
        release() {
          if (state === 'running') {
            active--;
            next();
          } else if (state === 'waiting') {
            const i = waiting.indexOf(start);
            if (i >= 0) waiting.splice(i, 1);
          }
          state = 'done';
        },
      };
    },
  };
}
