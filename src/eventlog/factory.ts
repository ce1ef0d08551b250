/**
 * Builds the event log and the publisher from the configuration: the embedded log
 * (`<dataDir>/eventlog.db`) when KAFKA_BROKERS is unset, Kafka otherwise; a publisher that
 * writes straight to the embedded log, or through the outbox (`<dataDir>/outbox.db`) and its
 * relay to Kafka.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import { BufferedPublisher, type PublisherTarget } from './buffered-publisher.ts';
import { EmbeddedEventLog } from './embedded/log.ts';
import { envelopeFactory } from './envelope.ts';
import { KafkaEventLog, type KafkaLogOptions } from './kafka/log.ts';
import { silentLog, type LogSink } from './logger.ts';
import { Outbox } from './outbox.ts';
import type { Publisher } from './publisher.ts';
import { Relay } from './relay.ts';
import { catalogTopics, type TopicSpecs } from './topics.ts';
import type { EventLog } from './types.ts';

export interface EventLogDeps {
  readonly logger?: LogSink;
  readonly clock?: Clock;
  /** Defaults to the catalog's topics (events/index.ts TOPICS). */
  readonly topics?: TopicSpecs;
}

/** The event log the configuration asks for (not started: call `start()`). */
export function createEventLog(config: Config, deps: EventLogDeps = {}): EventLog {
  const topics = deps.topics ?? catalogTopics();
  const logger = deps.logger ?? silentLog;
  const { kafkaBrokers, kafkaClientId, topicPrefix } = config.eventLog;
  if (kafkaBrokers) {
    return new KafkaEventLog({ brokers: kafkaBrokers, clientId: `${kafkaClientId}-${config.instanceId}`, topics, topicPrefix, log: logger, ...kafkaSecurity(config.eventLog) });
  }
  return new EmbeddedEventLog({ file: path.join(config.dataDir, 'eventlog.db'), topics, topicPrefix, log: logger, durability: config.eventLog.sync, ...(deps.clock && { clock: deps.clock }) });
}

/** The TLS files (checked when the configuration was loaded) read for kafkajs, and the SASL settings. */
function kafkaSecurity({ kafkaTls, kafkaSasl }: Config['eventLog']): Pick<KafkaLogOptions, 'ssl' | 'sasl'> {
  return {
    ...(kafkaTls && {
      ssl: {
        ...(kafkaTls.caFile && { ca: [readFileSync(kafkaTls.caFile)] }),
        ...(kafkaTls.client && { cert: readFileSync(kafkaTls.client.certFile), key: readFileSync(kafkaTls.client.keyFile) }),
      },
    }),
    ...(kafkaSasl && { sasl: kafkaSasl }),
  };
}

/**
 * The publisher for `log` (which the caller starts and closes). With Kafka it opens the outbox
 * under the data directory and starts its relay; `close()` flushes to the outbox and stops the
 * relay (what is not delivered yet stays in the outbox for the next start).
 */
export function createPublisher(config: Config, log: EventLog, clock: Clock, ids: IdGenerator, logger: LogSink = silentLog): Publisher {
  // Events built here are typed at compile time; their schemas are checked at run time outside
  // production (every test), and skipped in production where they would cost a few µs each.
  const envelopes = envelopeFactory(`/jarvis-api/${config.instanceId}`, clock, ids, config.nodeEnv !== 'production');
  if (log.kind === 'embedded') {
    return new BufferedPublisher({ envelopes, target: { mode: 'direct', log }, maxEvents: config.eventLog.outboxMaxEvents, logger });
  }
  const outbox = new Outbox(path.join(config.dataDir, 'outbox.db'));
  const relay = new Relay(outbox, log, logger);
  const target: PublisherTarget = { mode: 'outbox', outbox, relay };
  const publisher = new BufferedPublisher({ envelopes, target, maxEvents: config.eventLog.outboxMaxEvents, logger });
  relay.start();
  const close = publisher.close.bind(publisher);
  let closing: Promise<void> | null = null;
  publisher.close = () =>
    (closing ??= (async () => {
      await close();
      await relay.stop();
      outbox.close();
    })());
  return publisher;
}
