/**
 * Asking the other workers of this instance (JARVIS_WORKERS > 1) for something only one of them
 * holds in memory: the text behind a stream URL, a conversation's history. node:cluster hands
 * each new connection to the next worker, so a client's second request usually lands on a
 * worker that did not serve its first. What travels here stays in memory: the cluster's IPC
 * channel, never the event log, never a disk.
 *
 *   worker A ──ask──▶ primary ──ask──▶ every other worker
 *   the holder ──found (payload), text…, end──▶ primary ──▶ worker A
 *   no holder: every other worker says missing ──▶ primary ──missing──▶ worker A
 *
 * A `found` may be followed by text pieces (an answer still being generated) up to `end`, or
 * `error` when the text fails midway.
 */
import type { Cluster, Worker } from 'node:cluster';
import { textFeed, type TextFeed } from '../shared/text-feed.ts';

const TAG = 'jarvis.siblings';

/** JSON-serializable (the IPC channel's serialization). */
export type Payload = string | number | boolean | null | readonly Payload[] | { readonly [k: string]: Payload | undefined };

interface Ask {
  readonly tag: typeof TAG;
  readonly op: 'ask';
  readonly topic: string;
  readonly ask: number;
  readonly query: Payload;
  /** Set by the primary: the worker that asks. */
  readonly from?: number;
}

interface Reply {
  readonly tag: typeof TAG;
  readonly op: 'found' | 'missing' | 'text' | 'end' | 'error';
  readonly ask: number;
  /** The worker that asked. */
  readonly to: number;
  readonly payload?: Payload;
  /** On `found`: text pieces follow. */
  readonly streams?: boolean;
  readonly text?: string;
  readonly message?: string;
}

type Message = Ask | Reply;

function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && (m as { tag?: unknown }).tag === TAG;
}

/** A worker's end of the IPC channel. */
export interface SiblingChannel {
  readonly workerId: number;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** This cluster worker's channel (process.send / process.on('message')). */
export function workerChannel(workerId: number): SiblingChannel {
  return {
    workerId,
    send: (m) => {
      // The channel closes while the worker stops; an unanswered ask then times out.
      if (process.connected) process.send?.(m);
    },
    onMessage: (listener) => process.on('message', listener),
  };
}

export interface Found {
  readonly payload: Payload;
  /** The text pieces that follow, when the holder streams them. */
  readonly text: AsyncIterable<string> | null;
}

/** What a holder hands over: a payload, and optionally text to stream after it. */
export type Holding = { readonly payload: Payload; readonly text?: AsyncIterable<string> } | undefined;

export interface SiblingBus {
  /** Asks the other workers; undefined when none holds it or none answers within the timeout. */
  ask(topic: string, query: Payload): Promise<Found | undefined>;
  /** Answers the other workers' asks on `topic` (one handler per topic). */
  answer(topic: string, handler: (query: Payload) => Holding): void;
}

export function siblingBus(channel: SiblingChannel, opts: { timeoutMs?: number } = {}): SiblingBus {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const handlers = new Map<string, (query: Payload) => Holding>();
  const asks = new Map<number, { settle(found: Found | undefined): void; pieces?: TextFeed }>();
  let nextAsk = 0;

  const reply = (a: Ask, r: Omit<Reply, 'tag' | 'ask' | 'to'>) => channel.send({ tag: TAG, ask: a.ask, to: a.from, ...r });

  async function hand(a: Ask, holding: NonNullable<Holding>): Promise<void> {
    reply(a, { op: 'found', payload: holding.payload, streams: holding.text !== undefined });
    if (!holding.text) return;
    try {
      for await (const text of holding.text) reply(a, { op: 'text', text });
      reply(a, { op: 'end' });
    } catch (err) {
      reply(a, { op: 'error', message: err instanceof Error ? err.message : 'failed' });
    }
  }

  channel.onMessage((m) => {
    if (!isMessage(m)) return;
    if (m.op === 'ask') {
      if (m.from === undefined || m.from === channel.workerId) return;
      let holding: Holding;
      try {
        holding = handlers.get(m.topic)?.(m.query);
      } catch {
        holding = undefined;
      }
      if (holding) void hand(m, holding);
      else reply(m, { op: 'missing' });
      return;
    }
    if (m.to !== channel.workerId) return;
    const pending = asks.get(m.ask);
    if (!pending) return; // timed out already
    if (m.op === 'found') {
      const pieces = m.streams ? textFeed() : undefined;
      if (pieces) pending.pieces = pieces;
      else asks.delete(m.ask);
      pending.settle({ payload: m.payload ?? null, text: pieces?.iterable ?? null });
    } else if (m.op === 'missing') {
      asks.delete(m.ask);
      pending.settle(undefined);
    } else if (m.op === 'text') {
      pending.pieces?.push(m.text ?? '');
    } else {
      asks.delete(m.ask);
      if (m.op === 'error') pending.pieces?.fail(new Error(m.message ?? 'failed'));
      else pending.pieces?.end();
    }
  });

  return {
    answer(topic, handler) {
      handlers.set(topic, handler);
    },
    ask(topic, query) {
      const ask = ++nextAsk;
      return new Promise((resolve) => {
        let settled = false;
        const settle = (found: Found | undefined) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          asks.delete(ask);
          settle(undefined);
        }, timeoutMs);
        timer.unref();
        asks.set(ask, { settle });
        channel.send({ tag: TAG, op: 'ask', topic, ask, query } satisfies Ask);
      });
    },
  };
}

/**
 * The primary's part: forwards each ask to every other worker, and the replies back to the
 * worker that asked (`missing` only once all the others have said so).
 */
export function relaySiblings(cluster: Cluster): void {
  const open = new Map<string, { waiting: number; found: boolean; at: number }>();
  const sweep = setInterval(() => {
    const old = Date.now() - 60_000;
    for (const [k, o] of open) if (o.at < old) open.delete(k);
  }, 30_000);
  sweep.unref();
  cluster.on('message', (worker: Worker, m: unknown) => {
    if (!isMessage(m)) return;
    if (m.op === 'ask') {
      const others = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.id !== worker.id && w.isConnected());
      if (others.length === 0) {
        worker.send({ tag: TAG, op: 'missing', ask: m.ask, to: worker.id } satisfies Reply);
        return;
      }
      open.set(`${worker.id}:${m.ask}`, { waiting: others.length, found: false, at: Date.now() });
      for (const w of others) w.send({ ...m, from: worker.id } satisfies Ask);
      return;
    }
    const key = `${m.to}:${m.ask}`;
    if (m.op === 'missing' || m.op === 'found') {
      const o = open.get(key);
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
