/**
 * A Publisher that keeps envelopes in memory, for chat tests until the event log lands.
 * It builds envelopes with the real factory (src/eventlog/envelope.ts), which checks each
 * event's data against its schema in events/, so a wrong field still fails the test.
 */
import type { z } from 'zod';
import type { Envelope, EventDefinition } from '../../events/index.ts';
import { envelopeFactory, type EventMeta } from '../../src/eventlog/envelope.ts';
import type { Publisher, PublisherStats } from '../../src/eventlog/publisher.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { sequentialIds } from '../../src/shared/ids.ts';

export interface RecordingPublisher extends Publisher {
  readonly events: Envelope[];
  /** Metadata as given (key included), in publish order. */
  readonly metas: EventMeta[];
  ofType(type: string): Envelope[];
}

/** A publisher that records; nothing is written anywhere. */
export function recordingPublisher(): RecordingPublisher {
  const factory = envelopeFactory('test://chat', systemClock, sequentialIds('evt'));
  const events: Envelope[] = [];
  const metas: EventMeta[] = [];
  return {
    events,
    metas,
    ofType: (type) => events.filter((e) => e.type === type),
    publish<T extends string, S extends z.ZodType>(def: EventDefinition<T, S>, data: z.infer<S>, meta: EventMeta) {
      const env = factory.create(def, data, meta);
      events.push(env as Envelope);
      metas.push(meta);
      return env;
    },
    flush: async () => undefined,
    drain: async () => undefined,
    stats: (): PublisherStats => ({ outboxDepth: 0, outboxCapacity: Infinity, delivered: events.length, lastError: null }),
    close: async () => undefined,
  };
}
