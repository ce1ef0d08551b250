/**
 * Publishes an event that causes a security record and tells the client which one: the
 * response carries `Audit-Id`, the id the projector will give that record, so a client can
 * quote it and an analyst can find it (GET /admin/audit?id=…).
 */
import type { z } from 'zod';
import type { EventDefinition } from '../../events/index.ts';
import { auditIdOf } from '../audit/audit-id.ts';
import type { EventMeta } from '../eventlog/envelope.ts';
import type { Publisher } from '../eventlog/publisher.ts';
import type { JarvisContext } from './state.ts';

export function publishAudited<T extends string, S extends z.ZodType>(ctx: JarvisContext, publisher: Publisher, def: EventDefinition<T, S>, data: z.infer<S>, meta: EventMeta): void {
  const envelope = publisher.publish(def, data, meta);
  const id = auditIdOf(envelope);
  if (id) {
    ctx.state.auditId = id;
    ctx.set('Audit-Id', id);
  }
}
