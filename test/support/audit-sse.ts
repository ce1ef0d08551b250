/** A minimal Server-Sent Events reader for audit live-tail tests. */

export interface SseEvent {
  readonly id: string | null;
  readonly event: string | null;
  readonly data: string;
}

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
        buf += decoder.decode(chunk as Uint8Array, { stream: true });
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let id: string | null = null;
          let event: string | null = null;
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id:')) id = line.slice(3).trim();
            else if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length) queue.push({ id, event, data: data.join('\n') });
          signal.wake?.();
        }
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
