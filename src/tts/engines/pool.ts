/** A fixed set of warm workers lent out one job at a time, waiting callers served in order. */

export interface Pool<W> {
  /** Runs `fn` with an idle worker; waits (abortably) when all are busy. */
  use<T>(fn: (worker: W) => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly size: number;
  readonly busy: number;
}

export function createPool<W>(workers: readonly W[]): Pool<W> {
  const idle = [...workers];
  const waiting: Array<(w: W) => void> = [];

  function release(w: W): void {
    const next = waiting.shift();
    if (next) next(w);
    else idle.push(w);
  }

  function acquire(signal?: AbortSignal): Promise<W> {
    const w = idle.shift();
    if (w !== undefined) return Promise.resolve(w);
    return new Promise<W>((resolve, reject) => {
      const take = (worker: W) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(worker);
      };
      const onAbort = () => {
        const i = waiting.indexOf(take);
        if (i >= 0) waiting.splice(i, 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.push(take);
    });
  }

  return {
    size: workers.length,
    get busy() {
      return workers.length - idle.length;
    },
    async use(fn, signal) {
      const w = await acquire(signal);
      try {
        return await fn(w);
      } finally {
        release(w);
      }
    },
  };
}
