/** Streamed text becomes sentences as soon as each one is complete, whatever the chunking. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sentenceSplitter } from '../../src/chat/sentences.ts';

function split(chunks: string[]): { early: string[][]; rest: string | null } {
  const s = sentenceSplitter();
  const early = chunks.map((c) => s.push(c));
  return { early, rest: s.flush() };
}

describe('sentence splitter', () => {
  it('hands out the first sentence as soon as the space after it arrives', () => {
    const { early, rest } = split(['Good eve', 'ning, sir.', ' The weather', ' is mild! Shall I', ' go on?']);
    assert.deepEqual(early, [[], [], ['Good evening, sir.'], ['The weather is mild!'], []]);
    assert.equal(rest, 'Shall I go on?');
  });

  it('gives the same sentences whether the text comes at once or a character at a time', () => {
    const text = 'It costs 3.5 dollars, e.g. less than Dr. Smith said. "Really?" she asked.\nNew line here';
    const whole = split([text]);
    const chars = split([...text]);
    assert.deepEqual(whole.early.flat(), chars.early.flat());
    assert.deepEqual(whole.early.flat(), ['It costs 3.5 dollars, e.g. less than Dr. Smith said.', '"Really?"', 'she asked.']);
    assert.equal(chars.rest, 'New line here');
  });

  it('returns nothing left when the answer ended with a sentence', () => {
    const s = sentenceSplitter();
    assert.deepEqual(s.push('Done. '), ['Done.']);
    assert.equal(s.flush(), null);
  });
});
