/** A conversation moves to the worker that serves its next turn (the cluster wired in memory). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shareConversations } from '../../src/chat/conversation-siblings.ts';
import { createConversationStore, type ConversationStore } from '../../src/chat/conversations.ts';
import { fakeCluster } from '../support/cluster-siblings.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import { sequentialIds } from '../../src/shared/ids.ts';

function workers(n: number, clock = fixedClock(0)) {
  return fakeCluster(n).map((bus, i) => {
    const store: ConversationStore = createConversationStore({ clock, ids: sequentialIds(`w${i}`), idleMs: 60_000, maxAgeMs: 3_600_000, maxTurns: 10, maxChars: 1000, maxConversations: 100 });
    return { store, pull: shareConversations(store, bus) };
  });
}

describe('conversations across workers', () => {
  it('the worker serving the next turn takes the conversation over, history and all', async () => {
    const [a, b] = workers(2);
    const { id } = a!.store.open(undefined, 'key-1');
    a!.store.append(id, 'key-1', 'What is 2+2?', '4.');
    await b!.pull(id, 'key-1');
    assert.deepEqual(b!.store.open(id, 'key-1').history, [{ role: 'user', content: 'What is 2+2?' }, { role: 'assistant', content: '4.' }]);
    assert.equal(a!.store.has(id), false, 'it left the first worker');
    b!.store.append(id, 'key-1', 'And 3+3?', '6.');
    await a!.pull(id, 'key-1');
    assert.equal(a!.store.open(id, 'key-1').history.length, 4, 'and comes back with the new turn');
  });

  it('stays where it is for another principal, and an unknown id stays unknown', async () => {
    const [a, b] = workers(2);
    const { id } = a!.store.open(undefined, 'key-1');
    await b!.pull(id, 'key-2');
    assert.equal(b!.store.has(id), false);
    assert.throws(() => b!.store.open(id, 'key-2'), /No such conversation/);
    assert.equal(a!.store.has(id), true, 'the owner still has it');
    await b!.pull('conv_nobody', 'key-1');
    assert.throws(() => b!.store.open('conv_nobody', 'key-1'), /No such conversation/);
  });

  it('an expired conversation is not handed over', async () => {
    const clock = fixedClock(0);
    const [a, b] = workers(2, clock);
    const { id } = a!.store.open(undefined, 'key-1');
    clock.advance(3_600_000);
    await b!.pull(id, 'key-1');
    assert.throws(() => b!.store.open(id, 'key-1'), /No such conversation/);
  });
});
