/**
 * The relay: drains the outbox into the event log, oldest first, one batch at a time, and
 * deletes rows only after `append` resolved. On failure it keeps the batch and retries with
 * exponential backoff (order is kept: nothing behind a failed batch goes first). A retried
 * batch may reach the log twice (at-least-once); consumers deduplicate by event id.
 * Only the holder of the outbox's relay lease drains, so processes sharing a data directory
 * never deliver the same rows concurrently.
 */
import { randomBytes } from 'node:crypto';
import type { EventLog } from './types.ts';
import type { Outbox } from './outbox.ts';
import { errorMessage, type LogSink } from './logger.ts';
import { settleWithin } from './timeout.ts';

export interface RelaySettings {
  readonly batchSize: number;
  readonly pollMs: number;
  readonly leaseMs: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const defaultRelaySettings: RelaySettings = { batchSize: 500, pollMs: 50, leaseMs: 10_000, minBackoffMs: 100, maxBackoffMs: 5_000 };

export class Relay {
  /** Records this relay delivered. */
  delivered = 0;
  lastError: string | null = null;
  private readonly owner = `${process.pid}-${randomBytes(6).toString('hex')}`;
  private stopping = false;
  private done: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private readonly progress = new Set<() => void>();

  constructor(
    private readonly outbox: Outbox,
    private readonly log: EventLog,
    private readonly logger: LogSink,
    private readonly settings: RelaySettings = defaultRelaySettings,
  ) {}

  start(): void {
    this.done = this.loop();
  }

  /** Something was appended to the outbox in this process: look now. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Calls `listener` after every delivered batch (drain waits on it). */
  onProgress(listener: () => void): () => void {
    this.progress.add(listener);
    return () => this.progress.delete(listener);
  }

  /**
   * Finishes the batch in hand (waiting at most 10 s: with the broker down an append can retry
   * for longer; its rows then simply stay in the outbox for the next start), then gives the
   * lease up so another process can take over at once.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    if (!(await settleWithin(this.done, 10_000))) this.logger.warn({}, 'outbox relay: stopped with an append in flight; its rows stay in the outbox');
    try {
      this.outbox.unlease(this.owner);
    } catch {
      // the file may already be closed by a crash path; the lease then simply expires
    }
  }

  private async loop(): Promise<void> {
    let backoff = 0;
    let leaseUntil = 0;
    while (!this.stopping) {
      this.woken = false;
      try {
        const now = Date.now();
        // Renew at a third of the lease, so a slow append never lets it lapse.
        if (leaseUntil - now < (this.settings.leaseMs * 2) / 3) {
          leaseUntil = this.outbox.lease(this.owner, now, this.settings.leaseMs) ? now + this.settings.leaseMs : 0;
        }
        const rows = leaseUntil > now ? this.outbox.peek(this.settings.batchSize) : [];
        if (rows.length === 0) {
          await this.idle(leaseUntil > now ? this.settings.pollMs : this.settings.leaseMs / 4);
          continue;
        }
        await this.log.append(rows.map((r) => r.record));
        this.outbox.remove(rows[rows.length - 1]!.id);
        this.delivered += rows.length;
        if (this.lastError !== null) this.logger.info({ delivered: rows.length }, 'outbox relay: the event log accepts records again');
        this.lastError = null;
        backoff = 0;
        for (const l of this.progress) l();
      } catch (err) {
        this.lastError = errorMessage(err);
        backoff = Math.min(backoff === 0 ? this.settings.minBackoffMs : backoff * 2, this.settings.maxBackoffMs);
        this.logger.warn({ err: this.lastError, retryInMs: backoff }, 'outbox relay: append failed, keeping the batch');
        await this.idle(backoff, false);
      }
    }
  }

  /** Sleeps `ms`; a local append (when `wakeable`) or a commit from another process ends it early. */
  private idle(ms: number, wakeable = true): Promise<void> {
    if (wakeable && this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      let version = this.outbox.dataVersion();
      const finish = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      const poll = setInterval(() => {
        const v = this.outbox.dataVersion();
        if (wakeable && v !== version) finish();
        version = v;
      }, Math.min(this.settings.pollMs, ms));
      this.wakeUp = wakeable ? finish : () => (this.stopping ? finish() : undefined);
    });
  }
}
