/** A worker's calls to its primary: answered, timed out (then decided alone), and answers that come too late. */
import assert from 'node:assert/strict';
import type { Cluster } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { answerCalls, primaryCalls } from '../../src/cluster/calls.ts';
import type { SiblingChannel } from '../../src/cluster/siblings.ts';
import { keepingAlive } from '../support/cluster-siblings.ts';

/** One worker and a primary whose answers take `delayMs` to arrive. */
function wire(delayMs: number) {
  const primary = new EventEmitter() as EventEmitter & { workers: Record<number, unknown> };
  const inbox: ((m: unknown) => void)[] = [];
  const worker = { id: 1, isConnected: () => true, send: (m: unknown) => setTimeout(() => { for (const l of inbox) l(JSON.parse(JSON.stringify(m))); }, delayMs) };
  primary.workers = { 1: worker };
  const channel: SiblingChannel = { workerId: 1, send: (m) => setImmediate(() => primary.emit('message', worker, JSON.parse(JSON.stringify(m)))), onMessage: (l) => inbox.push(l) };
  return { primary: primary as unknown as Cluster, channel };
}

describe('calls to the primary', () => {
  it('are answered in order; a notice gets no answer', async () => {
    const { primary, channel } = wire(0);
    const seen: string[] = [];
    answerCalls<{ n: number; notice?: boolean }, number>(primary, 't', (_w, body) => {
      seen.push(body.notice ? `notice ${body.n}` : `call ${body.n}`);
      return body.notice ? undefined : body.n * 10;
    });
    const calls = primaryCalls<{ n: number; notice?: boolean }, number>(channel, 't', { timeoutMs: 1000 });
    calls.notify({ n: 0, notice: true });
    assert.deepEqual(await Promise.all([calls.call({ n: 1 }), calls.call({ n: 2 })]), [10, 20]);
    assert.deepEqual(seen, ['notice 0', 'call 1', 'call 2']);
  });

  it('resolve to null after the timeout, and hand an answer that comes later to `late`', async () => {
    const { primary, channel } = wire(150);
    answerCalls<string, string>(primary, 't', (_w, body) => `granted ${body}`);
    const late: [string, string][] = [];
    const calls = primaryCalls<string, string>(channel, 't', { timeoutMs: 50, late: (answer, body) => late.push([answer, body]) });
    assert.equal(await keepingAlive(() => calls.call('slot')), null);
    await keepingAlive(() => new Promise((r) => setTimeout(r, 200)));
    assert.deepEqual(late, [['granted slot', 'slot']]);
  });

  it('do not mix with other tags on the same channel', async () => {
    const { primary, channel } = wire(0);
    answerCalls<number, string>(primary, 'a', () => 'from a');
    answerCalls<number, string>(primary, 'b', () => 'from b');
    const a = primaryCalls<number, string>(channel, 'a', { timeoutMs: 1000 });
    const b = primaryCalls<number, string>(channel, 'b', { timeoutMs: 1000 });
    assert.deepEqual(await Promise.all([a.call(1), b.call(1)]), ['from a', 'from b']);
  });
});
