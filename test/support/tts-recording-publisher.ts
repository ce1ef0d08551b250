/**
 * An in-memory Publisher that records what was published, for the TTS tests' assertions.
 * Envelopes are built with the real envelope factory, so event data is validated against the
 * catalog exactly as the real publisher does. `failAfter` makes publish throw like a full outbox.
 */
import type { z } from 'zod';
import type { Envelope, EventDefinition } from '../../events/index.ts';
import { envelopeFactory, type EventMeta } from '../../src/eventlog/envelope.ts';
import type { Publisher } from '../../src/eventlog/publisher.ts';
import { AppError } from '../../src/shared/errors.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { randomIds } from '../../src/shared/ids.ts';

export interface RecordingPublisher extends Publisher {
  readonly events: Array<{ envelope: Envelope; meta: EventMeta }>;
  /** Types published for one key, in order. */
  typesFor(key: string): string[];
  /** Resolves when an event of `type` for `key` has been published. */
  waitFor(type: string, key: string, timeoutMs?: number): Promise<Envelope>;
  /** From now on, publish throws ERR_EVENT_LOG_UNAVAILABLE. */
  breakOutbox(): void;
}

export function recordingPublisher(): RecordingPublisher {
  const factory = envelopeFactory('test', systemClock, randomIds);
  const events: RecordingPublisher['events'] = [];
  const waiters = new Set<() => void>();
  let broken = false;
  return {
    events,
    publish<T extends string, S extends z.ZodType>(def: EventDefinition<T, S>, data: z.infer<S>, meta: EventMeta) {
      if (broken) throw new AppError('ERR_EVENT_LOG_UNAVAILABLE', { status: 503, title: 'Event log unavailable', headers: { 'Retry-After': '1' } });
      const envelope = factory.create(def, data, meta);
      events.push({ envelope: envelope as Envelope, meta });
      for (const w of waiters) w();
      return envelope;
    },
    typesFor(key) {
      return events.filter((e) => e.meta.key === key).map((e) => e.envelope.type);
    },
    waitFor(type, key, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find((e) => e.meta.key === key && e.envelope.type === type);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit.envelope);
          }
        };
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no ${type} for ${key} within ${timeoutMs} ms (got ${this.typesFor(key).join(', ')})`)); }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    breakOutbox() {
      broken = true;
    },
    flush: async () => {},
    drain: async () => {},
    stats: () => ({ outboxDepth: 0, outboxCapacity: 0, delivered: events.length, lastError: null }),
    close: async () => {},
  };
}
