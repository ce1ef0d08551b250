/**
 * The CloudEvents 1.0 envelope every event travels in, on Kafka and on the embedded log.
 * Correlation lives in extension attributes (lower-case, as CloudEvents requires):
 * `traceparent` (W3C), `requestid`, `actorid`. None of them ever holds a secret.
 */
import { z } from 'zod';

export const EnvelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(128),
  source: z.string().min(1).max(256),
  type: z.string().regex(/^jarvis(\.[a-z_]+)+\.v\d+$/),
  time: z.string().datetime({ offset: true }),
  subject: z.string().max(256).optional(),
  datacontenttype: z.literal('application/json'),
  traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/).optional(),
  requestid: z.string().max(128).optional(),
  actorid: z.string().max(64).optional(),
  data: z.unknown(),
});

/** An envelope whose `data` has been checked against its type's schema. */
export type Envelope<T extends string = string, D = unknown> = Omit<z.infer<typeof EnvelopeSchema>, 'type' | 'data'> & {
  type: T;
  data: D;
};
