/**
 * The cap on open audio streams per principal (JARVIS_MAX_STREAMS_PER_PRINCIPAL), for the whole
 * instance. In one process the count is local. With JARVIS_WORKERS > 1 the primary keeps the
 * count (`keepStreamLedger`): a worker asks it for a slot and tells it when the stream ends;
 * when a worker exits, its slots are given back. If the primary does not answer within a
 * second, the worker enforces the cap on its own streams alone, so the cap never disappears.
 */
import type { Cluster, Worker } from 'node:cluster';
import { answerCalls, primaryCalls } from '../cluster/calls.ts';
import type { SiblingChannel } from '../cluster/siblings.ts';
import { httpErrors } from './errors.ts';

export interface StreamSlots {
  /** A slot for `principal`, or the 429 ERR_TOO_MANY_STREAMS; call the result (once or more) when the stream ends. */
  acquire(principal: string): Promise<() => void>;
}

/** Counts per principal; `take` is false when the cap is reached. */
function counter(max: number) {
  const open = new Map<string, number>();
  return {
    take(principal: string): boolean {
      const n = open.get(principal) ?? 0;
      if (n >= max) return false;
      open.set(principal, n + 1);
      return true;
    },
    give(principal: string, k = 1): void {
      const left = (open.get(principal) ?? k) - k;
      if (left <= 0) open.delete(principal);
      else open.set(principal, left);
    },
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/** One process: the count is here. */
export function localStreamSlots(max: number): StreamSlots {
  const c = counter(max);
  return {
    acquire(principal) {
      if (!c.take(principal)) return Promise.reject(httpErrors.tooManyStreams());
      return Promise.resolve(once(() => c.give(principal)));
    },
  };
}

const TAG = 'jarvis.stream-slots';

type SlotCall = { readonly op: 'acquire' | 'release'; readonly principal: string };

/** A cluster worker: the primary counts; the local count is the fallback when it does not answer. */
export function clusterStreamSlots(channel: SiblingChannel, max: number, opts: { timeoutMs?: number } = {}): StreamSlots {
  const fallback = localStreamSlots(max);
  const primary = primaryCalls<SlotCall, boolean>(channel, TAG, {
    timeoutMs: opts.timeoutMs ?? 1000,
    // Granted after this worker stopped waiting (and decided alone): give the slot back.
    late: (granted, body) => { if (granted) primary.notify({ op: 'release', principal: body.principal }); },
  });
  return {
    async acquire(principal) {
      const granted = await primary.call({ op: 'acquire', principal });
      if (granted === null) return fallback.acquire(principal);
      if (!granted) throw httpErrors.tooManyStreams();
      return once(() => primary.notify({ op: 'release', principal }));
    },
  };
}

/** The primary's count of every worker's open streams; a worker that exits gives its slots back. */
export function keepStreamLedger(cluster: Cluster, max: number): void {
  const total = counter(max);
  const byWorker = new Map<number, Map<string, number>>();
  answerCalls<SlotCall, boolean>(cluster, TAG, (worker, { op, principal }) => {
    const mine = byWorker.get(worker.id) ?? new Map<string, number>();
    byWorker.set(worker.id, mine);
    if (op === 'acquire') {
      const granted = total.take(principal);
      if (granted) mine.set(principal, (mine.get(principal) ?? 0) + 1);
      return granted;
    }
    const n = mine.get(principal) ?? 0;
    if (n > 0) {
      if (n === 1) mine.delete(principal);
      else mine.set(principal, n - 1);
      total.give(principal);
    }
    return undefined;
  });
  cluster.on('exit', (worker: Worker) => {
    for (const [principal, n] of byWorker.get(worker.id) ?? []) total.give(principal, n);
    byWorker.delete(worker.id);
  });
}
