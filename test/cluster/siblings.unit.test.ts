/** Asking sibling workers through the primary: the holder answers, the others' misses are folded into one. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeCluster, keepingAlive } from '../support/cluster-siblings.ts';

describe('sibling workers', () => {
  it('gets the payload from the one worker that holds it, and a miss when none does', async () => {
    const [a, b, c] = fakeCluster(3);
    b!.answer('thing', (q) => (q === 'mine' ? { payload: { held: 'by b' } } : undefined));
    c!.answer('thing', () => undefined);
    const found = await a!.ask('thing', 'mine');
    assert.deepEqual(found, { payload: { held: 'by b' }, text: null });
    assert.equal(await a!.ask('thing', 'nobody has it'), undefined);
    assert.equal(await a!.ask('a topic nobody answers', 'x'), undefined, 'workers without a handler say missing');
  });

  it('streams text after the payload, including a failure midway', async () => {
    const [a, b] = fakeCluster(2);
    b!.answer('text', (q) => ({
      payload: null,
      text: (async function* () {
        yield 'one ';
        yield 'two';
        if (q === 'fail') throw new Error('broke midway');
      })(),
    }));
    const ok = await a!.ask('text', 'ok');
    let out = '';
    for await (const t of ok!.text!) out += t;
    assert.equal(out, 'one two');
    const bad = await a!.ask('text', 'fail');
    await assert.rejects(async () => { for await (const t of bad!.text!) void t; }, /broke midway/);
  });

  it('a handler that throws counts as not holding it', async () => {
    const [a, b] = fakeCluster(2);
    b!.answer('thing', () => { throw new Error('bug'); });
    assert.equal(await a!.ask('thing', 'x'), undefined);
  });

  it('is a miss when nobody answers within the timeout', async () => {
    const [a, b] = fakeCluster(2, { drop: true, timeoutMs: 150 });
    b!.answer('thing', () => ({ payload: 1 }));
    const started = Date.now();
    assert.equal(await keepingAlive(() => a!.ask('thing', 'x')), undefined);
    assert.ok(Date.now() - started < 1000);
  });

  it('a lone worker gets its miss at once from the primary', async () => {
    const [a] = fakeCluster(1);
    assert.equal(await a!.ask('thing', 'x'), undefined);
  });
});
