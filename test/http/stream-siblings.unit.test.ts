/** Stream URLs found on sibling workers (the cluster wired in memory: test/support/cluster-siblings.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStreamRegistry, once, type StreamRegistry } from '../../src/http/stream-registry.ts';
import { textFeed } from '../../src/shared/text-feed.ts';
import { withSiblings } from '../../src/http/stream-siblings.ts';
import { fakeCluster } from '../support/cluster-siblings.ts';

const NOW = 1_000_000;

function cluster(n: number): StreamRegistry[] {
  return fakeCluster(n).map((bus) => withSiblings(createStreamRegistry(() => NOW), bus, { now: () => NOW }));
}

async function read(text: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const t of text) out += t;
  return out;
}

describe('stream URLs across workers', () => {
  it('a worker finds the entry another one holds, for its principal only, and reads the whole text', async () => {
    const [a, b, c] = cluster(3);
    b!.put('req-1', { principal: 'key-1', expiresAt: NOW + 60_000, text: once('Hello there.'), voice: 'en-us' });
    const found = await a!.find('req-1', 'key-1', NOW);
    assert.ok(found, 'found on the sibling');
    assert.equal(found.principal, 'key-1');
    assert.equal(found.voice, 'en-us');
    assert.equal(await read(found.text), 'Hello there.');
    assert.equal(await c!.find('req-1', 'key-2', NOW), undefined, 'another principal');
    assert.equal(await c!.find('nobody', 'key-1', NOW), undefined, 'an unknown id');
  });

  it('relays text that is still arriving, and a failure of the answer', async () => {
    const [a, b] = cluster(2);
    const feed = textFeed();
    b!.put('req-2', { principal: 'key-1', expiresAt: NOW + 60_000, text: feed.iterable });
    feed.push('First sentence. ');
    const found = await a!.find('req-2', 'key-1', NOW);
    assert.ok(found);
    const reading = read(found.text);
    setTimeout(() => { feed.push('Second one.'); feed.end(); }, 20);
    assert.equal(await reading, 'First sentence. Second one.');

    const failing = textFeed();
    b!.put('req-3', { principal: 'key-1', expiresAt: NOW + 60_000, text: failing.iterable });
    const f2 = await a!.find('req-3', 'key-1', NOW);
    failing.push('Half ');
    failing.fail(new Error('the model went away'));
    await assert.rejects(read(f2!.text), /the model went away/);
  });

  it('an expired entry is not found on a sibling either', async () => {
    const [a, b] = cluster(2);
    b!.put('old', { principal: 'key-1', expiresAt: NOW - 1, text: once('too late') });
    assert.equal(await a!.find('old', 'key-1', NOW), undefined);
  });

  it('a finished answer can be read again by a second fetch', async () => {
    const text = once('Again.');
    assert.equal(await read(text), 'Again.');
    assert.equal(await read(text), 'Again.');
  });
});
