/** Builds and reads the CloudEvents envelopes that travel on the log. */
import type { z } from 'zod';
import { CATALOG, type EventDefinition, type Envelope, EnvelopeSchema } from '../../events/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';

/** Correlation for one event: the partition key and what ties it to a request. */
export interface EventMeta {
  /** Partition key: order is kept per key. */
  readonly key: string;
  readonly subject?: string;
  readonly traceparent?: string;
  readonly requestId?: string;
  readonly actorId?: string;
}

export interface EnvelopeFactory {
  create<T extends string, S extends z.ZodType>(def: EventDefinition<T, S>, data: z.infer<S>, meta: EventMeta): Envelope<T, z.infer<S>>;
}

/** `source` names the emitting service instance, as CloudEvents asks. */
export function envelopeFactory(source: string, clock: Clock, ids: IdGenerator, validate = true): EnvelopeFactory {
  // Formatting a date costs about as much as the rest of an envelope; events published in the
  // same millisecond share the string (publish is on every request's path).
  let lastMs = Number.NaN;
  let lastIso = '';
  const isoTime = (ms: number) => (ms === lastMs ? lastIso : ((lastMs = ms), (lastIso = new Date(ms).toISOString())));
  return {
    create(def, data, meta) {
      const payload = validate ? def.data.parse(data) : data;
      const env = {
        specversion: '1.0' as const,
        id: ids.uuid(),
        source,
        type: def.type,
        time: isoTime(clock.now()),
        datacontenttype: 'application/json' as const,
        ...(meta.subject !== undefined && { subject: meta.subject }),
        ...(meta.traceparent !== undefined && { traceparent: meta.traceparent }),
        ...(meta.requestId !== undefined && { requestid: meta.requestId }),
        ...(meta.actorId !== undefined && { actorid: meta.actorId }),
        data: payload,
      };
      return env;
    },
  };
}

export class UnknownEventError extends Error {}

/**
 * Parses a record's value into an envelope and checks its data against the catalog.
 * Unknown types throw UnknownEventError (the runner skips and counts them: a newer
 * producer may know types this build does not).
 */
export function decodeEnvelope(value: Buffer | string): Envelope {
  const raw = JSON.parse(typeof value === 'string' ? value : value.toString('utf8')) as unknown;
  const env = EnvelopeSchema.parse(raw);
  const def = CATALOG.get(env.type);
  if (!def) throw new UnknownEventError(`unknown event type ${env.type}`);
  return { ...env, data: def.data.parse(env.data) } as Envelope;
}
