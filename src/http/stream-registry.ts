/**
 * Stream URLs handed out by POST /chat: `/audio/stream/{request_id}` belongs to the principal
 * that made the request and expires (JARVIS_STREAM_URL_TTL, 10 minutes by default). The text
 * to speak is kept in memory only, never in events, so the URL is served by the instance that
 * answered the chat (route by principal behind a load balancer; see docs/deployment.md). The
 * workers of one instance (JARVIS_WORKERS) find each other's entries through the cluster's IPC
 * channel (stream-siblings.ts).
 */
export interface PendingSpeech {
  readonly principal: string;
  readonly expiresAt: number;
  /** Resolves to the text to speak (at once for a finished answer). */
  readonly text: AsyncIterable<string>;
  readonly voice?: string;
}

export interface StreamRegistry {
  put(requestId: string, entry: PendingSpeech): void;
  /** The entry if it exists here, is unexpired and belongs to `principal`; otherwise undefined. */
  take(requestId: string, principal: string, nowMs: number): PendingSpeech | undefined;
  /** Like `take`, but also asks the other workers of this instance when there are any. */
  find(requestId: string, principal: string, nowMs: number): Promise<PendingSpeech | undefined>;
  size(): number;
}

const MAX_ENTRIES = 10_000;

export function createStreamRegistry(now: () => number): StreamRegistry {
  const entries = new Map<string, PendingSpeech>();
  const timer = setInterval(() => {
    const t = now();
    for (const [id, e] of entries) if (e.expiresAt <= t) entries.delete(id);
  }, 30_000);
  timer.unref();
  const take = (requestId: string, principal: string, nowMs: number): PendingSpeech | undefined => {
    const e = entries.get(requestId);
    if (!e || e.principal !== principal || e.expiresAt <= nowMs) return undefined;
    return e;
  };
  return {
    put(requestId, entry) {
      if (entries.size >= MAX_ENTRIES) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(requestId, entry);
    },
    take,
    find: (requestId, principal, nowMs) => Promise.resolve(take(requestId, principal, nowMs)),
    size: () => entries.size,
  };
}

/** A finished text as a one-item async iterable, readable any number of times (a URL can be fetched again). */
export function once(text: string): AsyncIterable<string> {
  return {
    async *[Symbol.asyncIterator]() {
      yield text;
    },
  };
}
