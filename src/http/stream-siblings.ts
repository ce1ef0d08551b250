/**
 * Stream URLs across the workers of one instance (JARVIS_WORKERS > 1). node:cluster hands each
 * new connection to the next worker, so the fetch of a stream URL usually lands on a worker
 * that did not answer the chat. That worker asks its siblings through the primary; the one
 * holding the entry checks the principal and expiry as it would locally, then relays the text
 * piece by piece (also while the answer is still being generated), and the asking worker
 * synthesizes the audio. The text travels over the cluster's IPC channel only: never in an
 * event, never on disk.
 *
 *   worker A ──find──▶ primary ──find──▶ every other worker
 *   worker B (holds it) ──found, text…, end──▶ primary ──▶ worker A
 *   no holder: every other worker answers missing ──▶ primary ──missing──▶ worker A (404)
 */
import type { Cluster, Worker } from 'node:cluster';
import { textFeed, type PendingSpeech, type StreamRegistry } from './stream-registry.ts';

const TAG = 'jarvis.stream-url';

interface Find {
  readonly tag: typeof TAG;
  readonly op: 'find';
  readonly ask: number;
  readonly requestId: string;
  readonly principal: string;
  /** Set by the primary: the worker that asks. */
  readonly from?: number;
}

interface Answer {
  readonly tag: typeof TAG;
  readonly op: 'found' | 'missing' | 'text' | 'end' | 'error';
  readonly ask: number;
  /** The worker that asked. */
  readonly to: number;
  readonly expiresAt?: number;
  readonly voice?: string;
  readonly text?: string;
  readonly message?: string;
}

type Message = Find | Answer;

function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && (m as { tag?: unknown }).tag === TAG;
}

/** A worker's side of the IPC channel (process.send / process.on('message') in a cluster worker). */
export interface SiblingChannel {
  readonly workerId: number;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** The channel of this cluster worker. */
export function workerChannel(workerId: number): SiblingChannel {
  return {
    workerId,
    send: (m) => {
      // The channel closes while the worker stops; an unanswered ask then times out (404).
      if (process.connected) process.send?.(m);
    },
    onMessage: (listener) => process.on('message', listener),
  };
}

/**
 * `local` plus its siblings: `find` asks the other workers when the entry is not here, and
 * answers the siblings' asks from `local`. An ask nobody answers within `timeoutMs` is a miss.
 */
export function withSiblings(local: StreamRegistry, channel: SiblingChannel, opts: { now: () => number; timeoutMs?: number }): StreamRegistry {
  const timeoutMs = opts.timeoutMs ?? 2000;
  let nextAsk = 0;
  const asks = new Map<number, { settle(entry: PendingSpeech | undefined): void; feed?: ReturnType<typeof textFeed> }>();
  const reply = (find: Find, answer: Omit<Answer, 'tag' | 'ask' | 'to'>) => channel.send({ tag: TAG, ask: find.ask, to: find.from, ...answer });

  async function relay(find: Find, entry: PendingSpeech): Promise<void> {
    reply(find, { op: 'found', expiresAt: entry.expiresAt, ...(entry.voice !== undefined && { voice: entry.voice }) });
    try {
      for await (const text of entry.text) reply(find, { op: 'text', text });
      reply(find, { op: 'end' });
    } catch (err) {
      reply(find, { op: 'error', message: err instanceof Error ? err.message : 'the answer failed' });
    }
  }

  channel.onMessage((m) => {
    if (!isMessage(m)) return;
    if (m.op === 'find') {
      if (m.from === undefined || m.from === channel.workerId) return;
      const entry = local.take(m.requestId, m.principal, opts.now());
      if (entry) void relay(m, entry);
      else reply(m, { op: 'missing' });
      return;
    }
    if (m.to !== channel.workerId) return;
    const ask = asks.get(m.ask);
    if (!ask) return; // timed out already
    switch (m.op) {
      case 'found': {
        const feed = textFeed();
        ask.feed = feed;
        ask.settle({ principal: '', expiresAt: m.expiresAt ?? 0, text: feed.iterable, ...(m.voice !== undefined && { voice: m.voice }) });
        break;
      }
      case 'missing':
        ask.settle(undefined);
        asks.delete(m.ask);
        break;
      case 'text':
        ask.feed?.push(m.text ?? '');
        break;
      case 'end':
        ask.feed?.end();
        asks.delete(m.ask);
        break;
      case 'error':
        ask.feed?.fail(new Error(m.message ?? 'the answer failed'));
        asks.delete(m.ask);
        break;
    }
  });

  return {
    put: (requestId, entry) => local.put(requestId, entry),
    take: (requestId, principal, nowMs) => local.take(requestId, principal, nowMs),
    size: () => local.size(),
    find(requestId, principal, nowMs) {
      const here = local.take(requestId, principal, nowMs);
      if (here) return Promise.resolve(here);
      const ask = ++nextAsk;
      return new Promise((resolve) => {
        let settled = false;
        const timer = setTimeout(() => {
          asks.delete(ask);
          settle(undefined);
        }, timeoutMs);
        timer.unref();
        const settle = (entry: PendingSpeech | undefined) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          // The holder checked the principal; the entry is this caller's.
          resolve(entry && { ...entry, principal });
        };
        asks.set(ask, { settle });
        channel.send({ tag: TAG, op: 'find', ask, requestId, principal } satisfies Find);
      });
    },
  };
}

/**
 * The primary's part: forwards each ask to every other worker, and the answers back to the
 * worker that asked — `missing` only once all the others have said so.
 */
export function relayStreamUrls(cluster: Cluster): void {
  const open = new Map<string, { waiting: number; found: boolean; at: number }>();
  const sweep = setInterval(() => {
    const old = Date.now() - 60_000;
    for (const [k, o] of open) if (o.at < old) open.delete(k);
  }, 30_000);
  sweep.unref();
  cluster.on('message', (worker: Worker, m: unknown) => {
    if (!isMessage(m)) return;
    if (m.op === 'find') {
      const others = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.id !== worker.id && w.isConnected());
      if (others.length === 0) {
        worker.send({ tag: TAG, op: 'missing', ask: m.ask, to: worker.id } satisfies Answer);
        return;
      }
      open.set(`${worker.id}:${m.ask}`, { waiting: others.length, found: false, at: Date.now() });
      for (const w of others) w.send({ ...m, from: worker.id } satisfies Find);
      return;
    }
    const key = `${m.to}:${m.ask}`;
    const o = open.get(key);
    if (m.op === 'missing' || m.op === 'found') {
      if (!o) return;
      o.waiting--;
      if (m.op === 'found') o.found = true;
      if (o.waiting === 0) open.delete(key);
      if (m.op === 'missing' && (o.waiting > 0 || o.found)) return;
    }
    const target = cluster.workers?.[m.to];
    if (target?.isConnected()) target.send(m);
  });
}
