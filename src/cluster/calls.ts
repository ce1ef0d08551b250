/**
 * A worker's requests to its primary over the cluster's IPC channel: each call is answered by the
 * primary's handler, or resolves to null when no answer comes within the timeout (the caller then
 * decides alone). A handler that returns undefined sends no answer (a notice, such as a release).
 */
import type { Cluster, Worker } from 'node:cluster';
import type { SiblingChannel } from './siblings.ts';

interface Call<Q> {
  readonly tag: string;
  readonly call: number;
  readonly body: Q;
}

interface Answer<R> {
  readonly tag: string;
  readonly call: number;
  readonly answer: R;
}

function tagged(m: unknown, tag: string): boolean {
  return typeof m === 'object' && m !== null && (m as { tag?: unknown }).tag === tag;
}

/**
 * The worker's side: `call` asks and waits; `notify` tells and does not wait. `late` receives an
 * answer that came after its call had timed out (to undo what the primary did for it).
 */
export function primaryCalls<Q, R>(channel: SiblingChannel, tag: string, opts: { timeoutMs: number; late?: (answer: R, body: Q) => void }): { call(body: Q): Promise<R | null>; notify(body: Q): void } {
  let next = 0;
  const waiting = new Map<number, (answer: R) => void>();
  const timedOut = new Map<number, Q>();
  channel.onMessage((m) => {
    if (!tagged(m, tag)) return;
    const a = m as Answer<R>;
    const w = waiting.get(a.call);
    if (w) return w(a.answer);
    const body = timedOut.get(a.call);
    if (body === undefined) return;
    timedOut.delete(a.call);
    opts.late?.(a.answer, body);
  });
  return {
    call(body) {
      const call = ++next;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(call);
          if (opts.late) {
            // Remembered for a while, bounded: an answer later than this is not expected.
            if (timedOut.size >= 10_000) timedOut.clear();
            timedOut.set(call, body);
          }
          resolve(null);
        }, opts.timeoutMs);
        timer.unref();
        waiting.set(call, (answer) => {
          clearTimeout(timer);
          waiting.delete(call);
          resolve(answer);
        });
        channel.send({ tag, call, body } satisfies Call<Q>);
      });
    },
    notify(body) {
      channel.send({ tag, call: 0, body } satisfies Call<Q>);
    },
  };
}

/** The primary's side: answers every worker's calls on `tag`, in arrival order. */
export function answerCalls<Q, R>(cluster: Cluster, tag: string, handler: (worker: Worker, body: Q) => R | undefined): void {
  cluster.on('message', (worker: Worker, m: unknown) => {
    if (!tagged(m, tag)) return;
    const c = m as Call<Q>;
    const answer = handler(worker, c.body);
    if (answer !== undefined && c.call !== 0 && worker.isConnected()) worker.send({ tag, call: c.call, answer } satisfies Answer<R>);
  });
}
