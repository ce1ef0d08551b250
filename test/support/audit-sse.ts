/** A minimal Server-Sent Events reader for audit live-tail tests (framing: src/cli/commands/sse.ts). */
import { takeSseMessages, type SseMessage } from '../../src/cli/commands/sse.ts';

export type SseEvent = SseMessage;

export interface SseReader {
  readonly status: number;
  /** Waits for the next `n` data events (comments are collected in `comments`). */
  next(n: number, timeoutMs?: number): Promise<SseEvent[]>;
  readonly comments: string[];
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseReader> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const queue: SseEvent[] = [];
  const comments: string[] = [];
  const signal: { wake: (() => void) | null } = { wake: null };
  let buf = '';
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body ?? []) {
        const taken = takeSseMessages(buf + decoder.decode(chunk as Uint8Array, { stream: true }));
        buf = taken.rest;
        comments.push(...taken.comments);
        queue.push(...taken.messages);
        signal.wake?.();
      }
    } catch {
      // closed by the test
    }
  })();
  return {
    status: res.status,
    comments,
    async next(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length < n) {
        if (Date.now() > deadline) throw new Error(`only ${queue.length} of ${n} SSE events arrived`);
        await new Promise<void>((r) => {
          signal.wake = r;
          setTimeout(r, 50);
        });
      }
      return queue.splice(0, n);
    },
    close: () => abort.abort(),
  };
}
