/**
 * Text that arrives piece by piece (a chat answer being generated), readable any number of
 * times from the start: each reader gets what is there, then waits for more until `end`.
 */
export interface TextFeed {
  push(text: string): void;
  end(): void;
  fail(err: Error): void;
  readonly iterable: AsyncIterable<string>;
}

export function textFeed(): TextFeed {
  const parts: string[] = [];
  let done = false;
  let error: Error | null = null;
  let wake: (() => void)[] = [];
  const notify = () => {
    const w = wake;
    wake = [];
    for (const f of w) f();
  };
  return {
    push(text) {
      parts.push(text);
      notify();
    },
    end() {
      done = true;
      notify();
    },
    fail(err) {
      error = err;
      done = true;
      notify();
    },
    iterable: {
      async *[Symbol.asyncIterator]() {
        let i = 0;
        for (;;) {
          while (i < parts.length) yield parts[i++]!;
          if (error) throw error;
          if (done) return;
          await new Promise<void>((resolve) => wake.push(resolve));
        }
      },
    },
  };
}
