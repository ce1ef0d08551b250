/** The cap on open audio streams per principal: in one process, and counted by the primary across cluster workers. */
import assert from 'node:assert/strict';
import type { Cluster } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { SiblingChannel } from '../../src/cluster/siblings.ts';
import { clusterStreamSlots, keepStreamLedger, localStreamSlots } from '../../src/http/stream-slots.ts';
import { keepingAlive } from '../support/cluster-siblings.ts';

const tooMany = (err: unknown) => (err as { code?: string; status?: number }).code === 'ERR_TOO_MANY_STREAMS' && (err as { status?: number }).status === 429;

/** A primary keeping the ledger and `n` workers' slot clients; `exit(i)` ends worker i as node:cluster would report it. */
function cluster(n: number, max: number) {
  const primary = new EventEmitter() as EventEmitter & { workers: Record<number, unknown> };
  primary.workers = {};
  const inboxes = new Map<number, ((m: unknown) => void)[]>();
  const workers: { id: number; isConnected(): boolean; send(m: unknown): void }[] = [];
  const slots = [];
  for (let id = 1; id <= n; id++) {
    inboxes.set(id, []);
    const w = { id, isConnected: () => true, send: (m: unknown) => setImmediate(() => { for (const l of inboxes.get(id)!) l(JSON.parse(JSON.stringify(m))); }) };
    workers.push(w);
    primary.workers[id] = w;
    const channel: SiblingChannel = { workerId: id, send: (m) => setImmediate(() => primary.emit('message', w, JSON.parse(JSON.stringify(m)))), onMessage: (l) => inboxes.get(id)!.push(l) };
    slots.push(clusterStreamSlots(channel, max));
  }
  keepStreamLedger(primary as unknown as Cluster, max);
  return { slots, exit: (i: number) => primary.emit('exit', workers[i]) };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('stream slots', () => {
  it('in one process: at most the cap per principal, each principal counted apart, a slot back when its stream ends', async () => {
    const s = localStreamSlots(2);
    const a1 = await s.acquire('a');
    await s.acquire('a');
    await assert.rejects(s.acquire('a'), tooMany);
    await s.acquire('b');
    a1();
    a1(); // releasing twice gives back one slot only
    await s.acquire('a');
    await assert.rejects(s.acquire('a'), tooMany);
  });

  it('across workers: the cap holds for the instance, not per worker', async () => {
    const { slots: [w1, w2] } = cluster(2, 2);
    const r1 = await w1!.acquire('a');
    await w2!.acquire('a');
    await assert.rejects(w1!.acquire('a'), tooMany);
    await assert.rejects(w2!.acquire('a'), tooMany);
    await w2!.acquire('b');
    r1();
    await settle();
    await w2!.acquire('a');
  });

  it('a worker that exits gives its slots back', async () => {
    const { slots: [w1, w2], exit } = cluster(2, 1);
    await w1!.acquire('a');
    await assert.rejects(w2!.acquire('a'), tooMany);
    exit(0);
    await w2!.acquire('a');
  });

  it('a slot the primary grants after the worker stopped waiting is given back', async () => {
    const primary = new EventEmitter() as EventEmitter & { workers: Record<number, unknown> };
    const inbox: ((m: unknown) => void)[] = [];
    let delay = 150;
    const w = { id: 1, isConnected: () => true, send: (m: unknown) => setTimeout(() => { for (const l of inbox) l(JSON.parse(JSON.stringify(m))); }, delay) };
    primary.workers = { 1: w };
    const channel: SiblingChannel = { workerId: 1, send: (m) => setImmediate(() => primary.emit('message', w, JSON.parse(JSON.stringify(m)))), onMessage: (l) => inbox.push(l) };
    keepStreamLedger(primary as unknown as Cluster, 1);
    const slots = clusterStreamSlots(channel, 1, { timeoutMs: 50 });
    const alone = await keepingAlive(() => slots.acquire('a')); // decided alone; the primary's grant arrives later
    await keepingAlive(() => new Promise((r) => setTimeout(r, 250)));
    delay = 0;
    alone();
    // The late grant was released, so the primary has the slot to give again.
    await slots.acquire('a');
  });

  it('without an answer from the primary, a worker still enforces the cap on its own streams', async () => {
    const silent: SiblingChannel = { workerId: 1, send: () => {}, onMessage: () => {} };
    const s = clusterStreamSlots(silent, 1, { timeoutMs: 50 });
    await keepingAlive(() => s.acquire('a'));
    await assert.rejects(keepingAlive(() => s.acquire('a')), tooMany);
  });
});
