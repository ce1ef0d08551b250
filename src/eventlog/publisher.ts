/**
 * What the rest of the code publishes through. `publish` is synchronous and cheap on the
 * request path: the event goes into the durable outbox (group-committed within a few
 * milliseconds) and a relay delivers it to the log in order. When the outbox is full,
 * `publish` throws AppError ERR_EVENT_LOG_UNAVAILABLE (503 with Retry-After): never a silent drop.
 */
import type { z } from 'zod';
import type { Envelope, EventDefinition } from '../../events/index.ts';
import type { EventMeta } from './envelope.ts';

export interface PublisherStats {
  readonly outboxDepth: number;
  readonly outboxCapacity: number;
  readonly delivered: number;
  readonly lastError: string | null;
}

export interface Publisher {
  publish<T extends string, S extends z.ZodType>(def: EventDefinition<T, S>, data: z.infer<S>, meta: EventMeta): Envelope<T, z.infer<S>>;
  /** Resolves when everything published so far is durable in the outbox (not necessarily delivered). */
  flush(): Promise<void>;
  /** Resolves when everything published so far has reached the log (or rejects after `timeoutMs`). */
  drain(timeoutMs: number): Promise<void>;
  stats(): PublisherStats;
  close(): Promise<void>;
}
