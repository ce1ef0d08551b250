/** The sliding-window limiter's verdicts, with frozen time. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLimiter, type RemoteCounts } from '../../src/ratelimit/limiter.ts';

const none: RemoteCounts = { count: () => 0 };
const rates = { api: { limit: 3, windowMs: 60_000, burst: 0 }, stream: { limit: 2, windowMs: 60_000, burst: 1 } };

describe('sliding-window limiter', () => {
  it('admits up to the limit within the window and refuses the next', () => {
    const l = createLimiter(rates, none);
    const verdicts = [0, 1, 2, 3].map((i) => l.check('api', 'ip', '203.0.113.1', 1000 + i));
    assert.deepEqual(verdicts.map((v) => v.allowed), [true, true, true, false]);
    assert.deepEqual(verdicts.map((v) => v.remaining), [2, 1, 0, 0]);
    assert.equal(verdicts[3]!.exhausted, 'ip');
  });

  it('slides: room returns exactly when the oldest admission leaves the window', () => {
    const l = createLimiter(rates, none);
    for (let i = 0; i < 3; i++) l.check('api', 'ip', 'a', 1000 + i * 10_000);
    assert.equal(l.check('api', 'ip', 'a', 60_999).allowed, false);
    assert.equal(l.check('api', 'ip', 'a', 61_000).allowed, true);
  });

  it('reports the seconds until the window has room', () => {
    const l = createLimiter(rates, none);
    for (let i = 0; i < 3; i++) l.check('api', 'ip', 'a', 0);
    assert.equal(l.check('api', 'ip', 'a', 15_000).resetSeconds, 45);
  });

  it('keeps tiers, scopes and ids apart, and adds the burst to the stream tier', () => {
    const l = createLimiter(rates, none);
    for (let i = 0; i < 3; i++) assert.equal(l.check('api', 'ip', 'a', 0).allowed, true);
    assert.equal(l.check('api', 'principal', 'a', 0).allowed, true);
    assert.equal(l.check('api', 'ip', 'b', 0).allowed, true);
    assert.deepEqual([0, 1, 2, 3].map(() => l.check('stream', 'ip', 'a', 0).allowed), [true, true, true, false]);
  });

  it("counts other instances' admissions from the projection", () => {
    const remote: RemoteCounts = { count: (tier, scope, id) => (tier === 'api' && scope === 'ip' && id === 'a' ? 2 : 0) };
    const l = createLimiter(rates, remote);
    assert.equal(l.check('api', 'ip', 'a', 0).allowed, true);
    assert.equal(l.check('api', 'ip', 'a', 0).allowed, false);
  });

  it('does not fail open when degraded: it enforces only its share and ignores remote counts', () => {
    const l = createLimiter({ ...rates, api: { limit: 10, windowMs: 60_000, burst: 0 } }, { count: () => 1000 });
    l.setDegraded(0.5);
    assert.deepEqual(Array.from({ length: 6 }, () => l.check('api', 'ip', 'a', 0).allowed), [true, true, true, true, true, false]);
    l.setDegraded(null);
    assert.equal(l.check('api', 'ip', 'b', 0).allowed, false);
  });
});

describe('sliding log memory', () => {
  it('grows with traffic up to a large limit and stays exact', async () => {
    const { SlidingLog } = await import('../../src/ratelimit/window.ts');
    const log = new SlidingLog(1_000_000);
    for (let i = 0; i < 100; i++) log.add(i);
    assert.equal(log.count(100, 1000), 100);
    assert.equal(log.count(150, 100), 49);
    assert.equal(log.oldest(), 51);
  });
});
