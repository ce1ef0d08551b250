/**
 * Stream URLs found on sibling workers, with the primary's relay and three workers wired
 * together in memory (what node:cluster's IPC does between processes, minus the processes).
 */
import assert from 'node:assert/strict';
import type { Cluster } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { createStreamRegistry, once, textFeed, type StreamRegistry } from '../../src/http/stream-registry.ts';
import { relayStreamUrls, withSiblings, type SiblingChannel } from '../../src/http/stream-siblings.ts';

const NOW = 1_000_000;

/** A primary and `n` workers; `drop` makes the primary lose every message (a worker that never answers). */
function cluster(n: number, opts: { drop?: boolean } = {}): StreamRegistry[] {
  const primary = new EventEmitter() as EventEmitter & { workers: Record<number, unknown> };
  const inboxes = new Map<number, ((m: unknown) => void)[]>();
  primary.workers = {};
  const registries: StreamRegistry[] = [];
  for (let id = 1; id <= n; id++) {
    inboxes.set(id, []);
    const worker = {
      id,
      isConnected: () => true,
      // primary → worker, asynchronously like IPC, and through a copy like its serialization
      send: (m: unknown) => setImmediate(() => { for (const l of inboxes.get(id)!) l(JSON.parse(JSON.stringify(m))); }),
    };
    primary.workers[id] = worker;
    const channel: SiblingChannel = {
      workerId: id,
      send: (m) => { if (!opts.drop) setImmediate(() => primary.emit('message', worker, JSON.parse(JSON.stringify(m)))); },
      onMessage: (l) => inboxes.get(id)!.push(l),
    };
    registries.push(withSiblings(createStreamRegistry(() => NOW), channel, { now: () => NOW, timeoutMs: 200 }));
  }
  relayStreamUrls(primary as unknown as Cluster);
  return registries;
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

  it('is a miss when nobody answers within the timeout', async () => {
    const [a, b] = cluster(2, { drop: true });
    b!.put('req-4', { principal: 'key-1', expiresAt: NOW + 60_000, text: once('unreachable') });
    const started = Date.now();
    // The timeout does not hold a process open (unref); this test's loop has to stay up for it.
    const alive = setInterval(() => {}, 50);
    try {
      assert.equal(await a!.find('req-4', 'key-1', NOW), undefined);
    } finally {
      clearInterval(alive);
    }
    assert.ok(Date.now() - started < 1000);
  });

  it('a finished answer can be read again by a second fetch', async () => {
    const text = once('Again.');
    assert.equal(await read(text), 'Again.');
    assert.equal(await read(text), 'Again.');
  });
});
