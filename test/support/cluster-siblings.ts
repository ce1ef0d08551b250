/**
 * A primary and `n` workers wired together in memory, as node:cluster's IPC does between
 * processes: asynchronous delivery, and a JSON copy of every message (its serialization).
 * `drop` makes the primary lose everything (workers that never answer).
 */
import type { Cluster } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { relaySiblings, siblingBus, type SiblingBus, type SiblingChannel } from '../../src/cluster/siblings.ts';

export function fakeCluster(n: number, opts: { drop?: boolean; timeoutMs?: number } = {}): SiblingBus[] {
  const primary = new EventEmitter() as EventEmitter & { workers: Record<number, unknown> };
  const inboxes = new Map<number, ((m: unknown) => void)[]>();
  primary.workers = {};
  const buses: SiblingBus[] = [];
  for (let id = 1; id <= n; id++) {
    inboxes.set(id, []);
    const worker = {
      id,
      isConnected: () => true,
      send: (m: unknown) => setImmediate(() => { for (const l of inboxes.get(id)!) l(JSON.parse(JSON.stringify(m))); }),
    };
    primary.workers[id] = worker;
    const channel: SiblingChannel = {
      workerId: id,
      send: (m) => { if (!opts.drop) setImmediate(() => primary.emit('message', worker, JSON.parse(JSON.stringify(m)))); },
      onMessage: (l) => inboxes.get(id)!.push(l),
    };
    buses.push(siblingBus(channel, { timeoutMs: opts.timeoutMs ?? 200 }));
  }
  relaySiblings(primary as unknown as Cluster);
  return buses;
}

/** Keeps the event loop up while `fn` runs (the bus's timeouts are unref'd, as in a server). */
export async function keepingAlive<T>(fn: () => Promise<T>): Promise<T> {
  const alive = setInterval(() => {}, 50);
  try {
    return await fn();
  } finally {
    clearInterval(alive);
  }
}
