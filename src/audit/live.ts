/**
 * GET /admin/audit/live: Server-Sent Events of records as the audit log stores them. Each event's
 * `id:` is the record id, so a reconnecting client's `Last-Event-ID` resumes right after it
 * (records that arrived meanwhile are sent first). Wakes on records stored in this process and
 * polls the store (another process may be the writer); a comment line every `heartbeatMs`
 * keeps proxies and idle timers from closing the stream. The number of clients is bounded.
 */
import { AppError } from '../shared/errors.ts';
import type { JarvisContext } from '../http/state.ts';
import type { Clock } from '../shared/clock.ts';
import type { AuditFilters } from './filters.ts';
import type { Audit } from './service.ts';

export interface LiveOptions {
  readonly heartbeatMs?: number;
  readonly pollMs?: number;
}

/** Tracks open streams so that shutdown can end them. */
export class LiveClients {
  private readonly open = new Set<() => void>();
  constructor(readonly max: number) {}
  get size(): number {
    return this.open.size;
  }
  add(end: () => void): () => void {
    if (this.open.size >= this.max) throw new AppError('ERR_AUDIT_LIVE_FULL', { status: 503, title: 'Service unavailable', detail: 'Too many live audit clients; retry later.', headers: { 'Retry-After': '10' } });
    this.open.add(end);
    return () => this.open.delete(end);
  }
  /** Ends every stream (before the server closes). */
  closeAll(): void {
    for (const end of [...this.open]) end();
  }
}

/** Streams the live tail to `ctx` until the client leaves or `clients.closeAll()`. */
export async function streamLive(ctx: JarvisContext, audit: Audit, clients: LiveClients, filters: AuditFilters, clock: Clock, opts: LiveOptions = {}): Promise<void> {
  const store = audit.store;
  const lastId = ctx.get('last-event-id').trim();
  let position = lastId ? store.positionOf(lastId) : null;
  if (position === null) position = store.lastPosition();
  let wake: (() => void) | null = null;
  let ended = false;
  const end = () => {
    ended = true;
    wake?.();
  };
  const release = clients.add(end);
  const unlisten = audit.onStored(() => wake?.());
  const res = ctx.res;
  ctx.respond = false;
  ctx.req.socket.setTimeout(0);
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.on('close', end);
  res.write(`retry: 2000\n: resuming after ${lastId ? 'the given Last-Event-ID' : 'the newest record'}\n\n`);
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const pollMs = opts.pollMs ?? 500;
  let lastWrite = clock.now();
  try {
    while (!ended) {
      const batch = store.after(position, filters, clock.now());
      for (const { position: p, record } of batch) {
        // No `event:` field: EventSource's onmessage sees every record (the code is in the data).
        const ok = res.write(`id: ${record.id}\ndata: ${JSON.stringify(record)}\n\n`);
        position = p;
        lastWrite = clock.now();
        if (!ok) await new Promise<void>((r) => (res.once('drain', r), res.once('close', r)));
        if (ended) break;
      }
      if (batch.length > 0) continue;
      if (clock.now() - lastWrite >= heartbeatMs) {
        res.write(`: heartbeat ${new Date(clock.now()).toISOString()}\n\n`);
        lastWrite = clock.now();
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(pollMs, heartbeatMs));
        wake = () => (clearTimeout(t), r());
      });
      wake = null;
    }
  } finally {
    unlisten();
    release();
    if (!res.writableEnded) res.end();
  }
}
