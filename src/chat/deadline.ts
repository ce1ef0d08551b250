/**
 * One attempt's AbortSignal: aborts when the client goes away or when our own timer runs out,
 * and remembers which of the two it was (an aborted SDK call looks the same either way).
 * Timers are real: the injected clock measures, it cannot make a socket hang up.
 */
export interface Deadline {
  readonly signal: AbortSignal;
  timedOut(): boolean;
  cancelled(): boolean;
  /** Restarts the timer (streams: the bound is on each silence, not on the whole answer). */
  extend(ms: number): void;
  /** Stops the timer while we wait on our own consumer, not on the provider. */
  pause(): void;
  dispose(): void;
}

/** A deadline of `ms` tied to `parent` (the client's signal). */
export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (after: number): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      expired = true;
      controller.abort(new Error('chat provider timeout'));
    }, Math.max(1, after));
  };
  const onParentAbort = (): void => controller.abort(new Error('client went away'));
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  arm(ms);
  return {
    signal: controller.signal,
    timedOut: () => expired,
    cancelled: () => parent?.aborted === true && !expired,
    extend: (next) => {
      if (!controller.signal.aborted) arm(next);
    },
    pause: () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    dispose: () => {
      if (timer) clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
