/** The conversation store's bounds: whole turns, a character budget, and a cap on conversations. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createConversationStore } from '../../src/chat/conversations.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import { sequentialIds } from '../../src/shared/ids.ts';

const store = (over: Partial<Parameters<typeof createConversationStore>[0]> = {}) =>
  createConversationStore({ clock: fixedClock(0), ids: sequentialIds('x'), idleMs: 60_000, maxAgeMs: 3_600_000, maxTurns: 10, maxChars: 1000, maxConversations: 100, ...over });

describe('conversation store', () => {
  it('drops the oldest whole turns beyond the character budget, so history starts with a question', () => {
    const s = store({ maxChars: 25 });
    const { id } = s.open(undefined, 'p');
    s.append(id, 'p', 'aaaaaaaaaa', 'bbbbbbbbbb');
    s.append(id, 'p', 'cccccccccc', 'dddddddddd');
    const { history } = s.open(id, 'p');
    assert.deepEqual(history.map((m) => m.content), ['cccccccccc', 'dddddddddd']);
    assert.equal(history[0]!.role, 'user');
  });

  it('forgets the least recently used conversation when full', () => {
    const s = store({ maxConversations: 2 });
    const a = s.open(undefined, 'p').id;
    const b = s.open(undefined, 'p').id;
    s.open(a, 'p'); // a is now the most recent
    s.open(undefined, 'p');
    assert.equal(s.size(), 2);
    assert.throws(() => s.open(b, 'p'), { code: 'ERR_CONVERSATION_NOT_FOUND' });
    assert.doesNotThrow(() => s.open(a, 'p'));
  });

  it('ends a conversation at its maximum age even while it is in use', () => {
    const clock = fixedClock(0);
    const s = store({ clock, idleMs: 60_000, maxAgeMs: 150_000 });
    const { id } = s.open(undefined, 'p');
    clock.advance(50_000);
    s.open(id, 'p');
    clock.advance(50_000);
    s.open(id, 'p');
    clock.advance(50_000);
    assert.throws(() => s.open(id, 'p'), { code: 'ERR_CONVERSATION_NOT_FOUND' });
  });

  it('with a history of zero turns still owns the id but sends no history', () => {
    const s = store({ maxTurns: 0 });
    const { id } = s.open(undefined, 'p');
    s.append(id, 'p', 'q', 'a');
    assert.deepEqual(s.open(id, 'p').history, []);
    assert.throws(() => s.open(id, 'other'), { status: 404 });
  });
});
