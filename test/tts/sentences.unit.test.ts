/** Text is cut where a listener hears a sentence end, and never into pieces too long to stream. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SENTENCE, quickStart, sentenceSplitter, splitSentences } from '../../src/tts/sentences.ts';

describe('splitSentences', () => {
  const table: Array<[string, string[]]> = [
    ['Hello there. How are you?', ['Hello there.', 'How are you?']],
    ['Wait! Really?! Yes.', ['Wait!', 'Really?!', 'Yes.']],
    ['I met Dr. Smith today. He was fine.', ['I met Dr. Smith today.', 'He was fine.']],
    ['Pi is 3.14 exactly. Or not.', ['Pi is 3.14 exactly.', 'Or not.']],
    ['She said "Stop." Then left.', ['She said "Stop."', 'Then left.']],
    ['First line\nSecond line', ['First line', 'Second line']],
    ['No final stop', ['No final stop']],
    ['  ...  ', []],
    ['e.g. this stays whole', ['e.g. this stays whole']],
  ];
  for (const [text, expected] of table) {
    it(`splits ${JSON.stringify(text)}`, () => assert.deepEqual(splitSentences(text), expected));
  }

  it(`cuts a run without punctuation into pieces of at most ${MAX_SENTENCE} characters at spaces`, () => {
    const pieces = splitSentences('word '.repeat(200));
    assert.ok(pieces.length >= 4);
    for (const p of pieces) {
      assert.ok(p.length <= MAX_SENTENCE);
      assert.match(p, /^word( word)*$/);
    }
  });
});

describe('sentenceSplitter (text arriving in pieces)', () => {
  it('gives each sentence as soon as the next one has begun, and the rest at the end', () => {
    const s = sentenceSplitter();
    assert.deepEqual(s.push('Hel'), []);
    assert.deepEqual(s.push('lo there. How'), ['Hello there.']);
    assert.deepEqual(s.push(' are you? I'), ['How are you?']);
    assert.deepEqual(s.push(' am fine'), []);
    assert.deepEqual(s.end(), ['I am fine']);
  });
});

describe('quickStart (the first piece, for a fast first byte)', () => {
  it('cuts a long first sentence at its first clause boundary', () => {
    assert.deepEqual(quickStart('In the afternoon, clouds may gather over the hills near the coast, they say.'), ['In the afternoon,', 'clouds may gather over the hills near the coast, they say.']);
  });
  it('cuts a long first sentence without a pause after its first few words', () => {
    assert.deepEqual(quickStart('The weather today is clear and mild across most of the region.'), ['The weather today is clear', 'and mild across most of the region.']);
  });
  it('leaves short sentences whole, and never leaves a tiny tail', () => {
    assert.deepEqual(quickStart('Hello, there.'), ['Hello, there.']);
    assert.deepEqual(quickStart('Wellthisisaverylongwordwithoutanyspacesatallreally ok.'), ['Wellthisisaverylongwordwithoutanyspacesatallreally ok.']);
  });
});
