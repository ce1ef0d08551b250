/** Rate limits counted by the primary for all the workers of an instance (the cluster wired in memory). */
import assert from 'node:assert/strict';
import type { Cluster } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { clusterLimiter, keepAdmissions } from '../../src/cluster/admissions.ts';
import type { SiblingChannel } from '../../src/cluster/siblings.ts';
import type { Rate } from '../../src/config/parse.ts';
import type { Admissions, RemoteCounts } from '../../src/ratelimit/limiter.ts';
import { keepingAlive } from '../support/cluster-siblings.ts';

const rates = (limit: number): Record<'api' | 'stream', Rate> => ({ api: { limit, burst: 0, windowMs: 60_000 }, stream: { limit, burst: 0, windowMs: 60_000 } });

function instance(workers: number, limit: number, remote: RemoteCounts = { count: () => 0 }): Admissions[] {
  const primary = new EventEmitter() as EventEmitter & { workers: Record<number, unknown> };
  primary.workers = {};
  const out: Admissions[] = [];
  for (let id = 1; id <= workers; id++) {
    const inbox: ((m: unknown) => void)[] = [];
    const w = { id, isConnected: () => true, send: (m: unknown) => setImmediate(() => { for (const l of inbox) l(JSON.parse(JSON.stringify(m))); }) };
    primary.workers[id] = w;
    const channel: SiblingChannel = { workerId: id, send: (m) => setImmediate(() => primary.emit('message', w, JSON.parse(JSON.stringify(m)))), onMessage: (l) => inbox.push(l) };
    out.push(clusterLimiter(channel, { rates: rates(limit), remote, workers }));
  }
  keepAdmissions(primary as unknown as Cluster, rates(limit));
  return out;
}

describe('cluster admissions', () => {
  it('admits exactly the limit across workers, however the concurrent checks are spread', async () => {
    const workers = instance(4, 60);
    const now = Date.now();
    const verdicts = await Promise.all(Array.from({ length: 200 }, (_, i) => workers[i % 4]!.check('api', 'ip', '203.0.113.7', now)));
    assert.equal(verdicts.filter((v) => v.allowed).length, 60);
    const refused = verdicts.find((v) => !v.allowed)!;
    assert.equal(refused.remaining, 0);
    assert.equal(refused.exhausted, 'ip');
    // Other keys and tiers have their own budgets.
    assert.equal((await workers[0]!.check('api', 'principal', 'key-a', now)).allowed, true);
    assert.equal((await workers[1]!.check('stream', 'ip', '203.0.113.7', now)).allowed, true);
  });

  it('counts what other instances admitted, unless the log is unreachable', async () => {
    const workers = instance(2, 10, { count: (_t, _s, id) => (id === 'busy' ? 8 : 0) });
    const now = Date.now();
    const first = await Promise.all([0, 1, 0, 1].map((w) => workers[w]!.check('api', 'ip', 'busy', now)));
    assert.equal(first.filter((v) => v.allowed).length, 2, '8 elsewhere + 2 here = 10');
    for (const w of workers) w.setDegraded(0.5);
    assert.equal((await workers[0]!.check('api', 'ip', 'busy', now)).allowed, true, 'degraded: other instances are out of sight, this one is still counted');
    assert.equal(workers[0]!.degraded, true);
  });

  it('decides on its own share when the primary does not answer: never open', async () => {
    const silent: SiblingChannel = { workerId: 1, send: () => {}, onMessage: () => {} };
    const limiter = clusterLimiter(silent, { rates: rates(8), remote: { count: () => 0 }, workers: 4, timeoutMs: 50 });
    const now = Date.now();
    const verdicts = await keepingAlive(() => Promise.all(Array.from({ length: 5 }, () => limiter.check('api', 'ip', 'x', now))));
    assert.deepEqual(verdicts.map((v) => v.allowed), [true, true, false, false, false], 'a quarter of 8');
  });
});
