/**
 * The Publisher (src/eventlog/publisher.ts) behind the request path. `publish` only builds the
 * envelope and pushes it onto an in-memory batch; a setImmediate group-commits the batch to a
 * durable store in one transaction:
 * - `outbox` mode (Kafka): the SQLite outbox, drained to the log by the Relay;
 * - `direct` mode (embedded log): the embedded log itself, which is local and as durable as an
 *   outbox would be, so a second copy would only double the writes.
 * The backlog (staged + outbox rows) is bounded by `maxEvents`; beyond it `publish` throws the
 * 503 AppError ERR_EVENT_LOG_UNAVAILABLE rather than dropping anything.
 */
import type { z } from 'zod';
import type { Envelope, EventDefinition } from '../../events/index.ts';
import { AppError } from '../shared/errors.ts';
import type { EnvelopeFactory, EventMeta } from './envelope.ts';
import type { Publisher, PublisherStats } from './publisher.ts';
import type { EventLog, LogRecord } from './types.ts';
import type { Outbox, StagedRecord } from './outbox.ts';
import type { Relay } from './relay.ts';
import { errorMessage, type LogSink } from './logger.ts';

export type PublisherTarget =
  | { readonly mode: 'outbox'; readonly outbox: Outbox; readonly relay: Relay }
  | { readonly mode: 'direct'; readonly log: EventLog };

export interface BufferedPublisherOptions {
  readonly envelopes: EnvelopeFactory;
  readonly target: PublisherTarget;
  readonly maxEvents: number;
  readonly logger: LogSink;
}

/** The error `publish` throws when the backlog is full. */
export function eventLogUnavailable(): AppError {
  return new AppError('ERR_EVENT_LOG_UNAVAILABLE', { status: 503, title: 'Event log unavailable', headers: { 'Retry-After': '5' } });
}

const CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/** The shortest time between two group commits (see publish). */
const COMMIT_GAP_MS = 4;

/** An event accepted by publish(), not yet committed. */
interface Staged {
  readonly topic: string;
  readonly key: string;
  readonly envelope: Envelope;
}

function headersOf(env: Envelope): Record<string, string> {
  return env.traceparent === undefined ? { 'content-type': CONTENT_TYPE } : { 'content-type': CONTENT_TYPE, traceparent: env.traceparent };
}

interface Waiter {
  readonly seq: number;
  resolve(): void;
}

export class BufferedPublisher implements Publisher {
  private staged: Staged[] = [];
  private scheduled = false;
  private lastCommitAt = 0;
  private pumping = false;
  private closed = false;
  private publishedSeq = 0;
  private committedSeq = 0;
  /** Outbox mode: the id of the newest row this publisher committed (drain waits past it). */
  private lastCommittedId = 0;
  private outboxDepth = 0;
  private delivered = 0;
  private lastError: string | null = null;
  private flushWaiters: Waiter[] = [];
  private readonly pump = () => void this.commitStaged();
  private depthTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: BufferedPublisherOptions) {
    if (options.target.mode === 'outbox') {
      this.outboxDepth = options.target.outbox.depth();
      options.target.relay.onProgress(() => this.refreshDepth());
      // Another process's relay may drain our rows: re-read the depth now and then.
      this.depthTimer = setInterval(() => this.refreshDepth(), 250);
      this.depthTimer.unref();
    }
  }

  publish<T extends string, S extends z.ZodType>(def: EventDefinition<T, S>, data: z.infer<S>, meta: EventMeta): Envelope<T, z.infer<S>> {
    if (this.closed) throw new Error('publisher: publish after close()');
    if (this.outboxDepth + this.staged.length >= this.options.maxEvents) throw eventLogUnavailable();
    // Serialised at commit time, off the caller's path; frozen so a caller cannot change what gets committed.
    const env = Object.freeze(this.options.envelopes.create(def, data, meta));
    this.staged.push({ topic: def.topic, key: meta.key, envelope: env });
    this.publishedSeq++;
    if (!this.scheduled) {
      this.scheduled = true;
      // Group commit: at most one transaction per COMMIT_GAP_MS under load (each costs page writes
      // whatever its size); right away when the last one is older than that.
      const wait = this.lastCommitAt + COMMIT_GAP_MS - performance.now();
      if (wait > 0) setTimeout(this.pump, wait);
      else setImmediate(this.pump);
    }
    return env;
  }

  flush(): Promise<void> {
    return this.waitCommitted(this.publishedSeq);
  }

  async drain(timeoutMs: number): Promise<void> {
    const target = this.publishedSeq;
    const deadline = Date.now() + timeoutMs;
    const t = this.options.target;
    // Delivered: committed, and (outbox) no row up to our last committed id is left — whichever
    // process's relay sent it. Polling keeps this free of listeners that could outlive a timeout.
    const delivered = () => this.committedSeq >= target && (t.mode === 'direct' || this.lastCommittedId === 0 || !t.outbox.hasPendingUpTo(this.lastCommittedId));
    while (!delivered()) {
      if (Date.now() >= deadline) throw new Error(`publisher: not delivered within ${timeoutMs} ms (${this.stats().lastError ?? 'log slow'})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  stats(): PublisherStats {
    return { outboxDepth: this.outboxDepth + this.staged.length, outboxCapacity: this.options.maxEvents, delivered: this.deliveredCount(), lastError: this.lastError ?? (this.options.target.mode === 'outbox' ? this.options.target.relay.lastError : null) };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.depthTimer);
    await this.flush();
  }

  private deliveredCount(): number {
    return this.options.target.mode === 'outbox' ? this.options.target.relay.delivered : this.delivered;
  }

  private refreshDepth(): void {
    const t = this.options.target;
    if (t.mode !== 'outbox') return;
    try {
      this.outboxDepth = t.outbox.depth();
    } catch {
      // keep the last known depth
    }
  }

  private waitCommitted(seq: number): Promise<void> {
    if (this.committedSeq >= seq) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push({ seq, resolve }));
  }

  /** Commits staged records in order, one transaction per batch; on failure keeps them and retries. */
  private async commitStaged(): Promise<void> {
    this.scheduled = false;
    if (this.pumping) return;
    this.pumping = true;
    let backoff = 0;
    try {
      while (this.staged.length > 0) {
        const batch = this.staged;
        this.staged = [];
        this.lastCommitAt = performance.now();
        try {
          await this.write(batch);
          this.committedSeq += batch.length;
          this.lastError = null;
          backoff = 0;
          const ready = this.flushWaiters.filter((w) => w.seq <= this.committedSeq);
          this.flushWaiters = this.flushWaiters.filter((w) => w.seq > this.committedSeq);
          for (const w of ready) w.resolve();
        } catch (err) {
          this.staged = batch.concat(this.staged);
          this.lastError = errorMessage(err);
          backoff = Math.min(backoff === 0 ? 50 : backoff * 2, 2000);
          this.options.logger.warn({ err: this.lastError, staged: this.staged.length, retryInMs: backoff }, 'publisher: commit failed, retrying');
          await new Promise((r) => setTimeout(r, backoff));
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async write(batch: readonly Staged[]): Promise<void> {
    const t = this.options.target;
    if (t.mode === 'outbox') {
      const rows: StagedRecord[] = batch.map((s) => ({ topic: s.topic, key: s.key, value: JSON.stringify(s.envelope), headers: headersOf(s.envelope) }));
      const id = t.outbox.append(rows);
      this.lastCommittedId = id;
      this.outboxDepth += batch.length;
      t.relay.wake();
      return;
    }
    // The envelope goes along: the embedded log hands it to this process's consumers, which then skip decoding.
    const records: LogRecord[] = batch.map((s) => ({ topic: s.topic, key: s.key, value: Buffer.from(JSON.stringify(s.envelope), 'utf8'), headers: headersOf(s.envelope), envelope: s.envelope }));
    await t.log.append(records);
    this.delivered += batch.length;
  }
}
