/**
 * Sentences that arrive while an LLM answer is still streaming: `push` text deltas, `end`
 * when the answer is complete. Exposed as an async iterable the job consumes, so the first
 * sentence is synthesized as soon as it is complete, not when the whole answer is.
 */
import { sentenceSplitter } from './sentences.ts';

export interface SentenceFeed extends AsyncIterable<string> {
  push(delta: string): void;
  end(): void;
  /** Ends the feed with an error: the job fails (for example, the LLM call failed). */
  fail(err: Error): void;
  /** Characters accepted so far. */
  readonly characters: number;
}

/** A feed of at most `maxChars` characters; more is refused with a TypeError. */
export function sentenceFeed(maxChars: number): SentenceFeed {
  const split = sentenceSplitter();
  const ready: string[] = [];
  let waiter: (() => void) | undefined;
  let ended = false;
  let error: Error | undefined;
  let characters = 0;
  const wake = () => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };
  return {
    get characters() {
      return characters;
    },
    push(delta) {
      if (ended) throw new TypeError('sentence feed already ended');
      if (characters + delta.length > maxChars) throw new TypeError(`text longer than ${maxChars} characters`);
      characters += delta.length;
      ready.push(...split.push(delta));
      if (ready.length) wake();
    },
    end() {
      if (ended) return;
      ended = true;
      ready.push(...split.end());
      wake();
    },
    fail(err) {
      if (ended) return;
      ended = true;
      error = err;
      wake();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (error) throw error;
        const next = ready.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (ended) return;
        await new Promise<void>((resolve) => { waiter = resolve; });
      }
    },
  };
}
