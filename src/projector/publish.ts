/**
 * Publishes derived events through the regular Publisher (outbox with Kafka, the log itself when
 * embedded) while keeping the id and time the derivation chose: the publisher takes its id and
 * clock from us, and `publish` builds the envelope synchronously (it returns it), so a one-slot
 * id generator and clock set just before each call hand it exactly those values.
 */
import { CATALOG, type SecurityEventData } from '../../events/index.ts';
import type { Config } from '../config/config.ts';
import { createPublisher } from '../eventlog/factory.ts';
import { silentLog, type LogSink } from '../eventlog/logger.ts';
import type { Publisher } from '../eventlog/publisher.ts';
import type { EventLog } from '../eventlog/types.ts';
import { chainHash, recordOf } from '../projections/security/chain.ts';
import type { DerivedEvent } from '../projections/types.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';

export interface DerivedPublisher {
  /** Stages every event in order and resolves once they are durable (outbox or log). */
  publish(events: readonly DerivedEvent[]): Promise<void>;
  readonly publisher: Publisher;
  close(): Promise<void>;
}

export function createDerivedPublisher(config: Config, log: EventLog, logger: LogSink = silentLog): DerivedPublisher {
  const slot = { id: '', time: 0 };
  const clock: Clock = { now: () => slot.time };
  const ids: IdGenerator = { uuid: () => slot.id, short: () => slot.id.replace(/-/g, '').slice(0, 12) };
  const publisher = createPublisher(config, log, clock, ids, logger);
  return {
    publisher,
    async publish(events) {
      for (const d of events) {
        const env = d.envelope;
        const def = CATALOG.get(env.type);
        if (!def) throw new TypeError(`derived event of unknown type ${env.type}`);
        slot.id = env.id;
        slot.time = Date.parse(env.time);
        const sent = publisher.publish(def, env.data, {
          key: d.key,
          ...(env.subject !== undefined && { subject: env.subject }),
          ...(env.traceparent !== undefined && { traceparent: env.traceparent }),
          ...(env.requestid !== undefined && { requestId: env.requestid }),
          ...(env.actorid !== undefined && { actorId: env.actorid }),
        });
        if (sent.id !== env.id) throw new Error('publisher replaced a derived event id; derived ids must survive publishing');
        // The chain link was computed over the derived record: what goes out must still match it.
        const chain = (env.data as Partial<SecurityEventData>).chain;
        if (chain && chainHash(chain, recordOf(sent)) !== chain.hash) throw new Error(`published record ${env.id} no longer matches its chain hash; derived records must survive publishing unchanged`);
      }
      if (events.length > 0) await publisher.flush();
    },
    close: () => publisher.close(),
  };
}
