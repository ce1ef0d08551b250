/**
 * The Kafka event log (kafkajs). The producer is idempotent with acks=all (kafkajs requires
 * maxInFlightRequests=1 for idempotence, which also keeps order per partition through
 * retries) and partitions with the same murmur2 function as the embedded log. Topics are
 * created on start with their partitions and retention; automatic creation stays off.
 */
import type { ConnectionOptions } from 'node:tls';
import { Kafka, type Admin, type KafkaConfig, type Producer, type SASLOptions } from 'kafkajs';
import type { Secret } from '../../shared/secret.ts';
import type { EventLog, LogHealth, LogRecord, SubscribeOptions, Subscription } from '../types.ts';
import { errorMessage, silentLog, type LogSink } from '../logger.ts';
import { partitionFor } from '../partition.ts';
import { settleWithin } from '../timeout.ts';
import { physicalTopic, type TopicSpecs } from '../topics.ts';
import { subscribeKafka } from './consumer.ts';
import { kafkaLogCreator } from './logger.ts';

export interface KafkaLogOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly topics: TopicSpecs;
  readonly topicPrefix?: string;
  readonly log?: LogSink;
  /** How often health() is refreshed by asking the cluster (default 2 s). */
  readonly probeIntervalMs?: number;
  /** TLS to the brokers (PEM contents; no `ca`: Node's public CAs). The certificate is always verified. */
  readonly ssl?: Pick<ConnectionOptions, 'ca' | 'cert' | 'key'>;
  /** SASL authentication. The password goes to kafkajs and nowhere else. */
  readonly sasl?: { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: Secret };
}

/** The kafkajs `ssl` and `sasl` settings for `options`, shared by every client this log makes. */
function securityOf(options: KafkaLogOptions): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { ssl, sasl } = options;
  return {
    // Spread after the caller's fields: verification cannot be turned off from outside.
    ...(ssl && { ssl: { ...ssl, rejectUnauthorized: true } }),
    // kafkajs types SASLOptions as one object type per mechanism; this object is one of them.
    ...(sasl && { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password.reveal() } as SASLOptions }),
  };
}

export class KafkaEventLog implements EventLog {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  /** Replaced after any failed send; see freshProducer(). */
  private producer: { client: Producer; connected: Promise<void> } | null = null;
  private readonly admin: Admin;
  /** A client of its own for health probes: no retries, short timeouts, so an outage shows within seconds. */
  private readonly probeAdmin: Admin;
  private probing = false;
  private readonly prefix: string;
  private readonly log: LogSink;
  private readonly subscriptions = new Set<Subscription>();
  private started = false;
  private starting: Promise<void> | null = null;
  private reachable = false;
  private lastError: string | null = null;
  private probe: NodeJS.Timeout | undefined;

  constructor(private readonly options: KafkaLogOptions) {
    this.prefix = options.topicPrefix ?? '';
    this.log = options.log ?? silentLog;
    const security = securityOf(options);
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      ...security,
      logCreator: kafkaLogCreator(this.log),
      connectionTimeout: 3000,
      requestTimeout: 30_000,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
    });
    this.admin = this.kafka.admin();
    this.probeAdmin = new Kafka({
      clientId: `${options.clientId}-health`,
      brokers: [...options.brokers],
      ...security,
      logCreator: kafkaLogCreator(this.log),
      connectionTimeout: 1000,
      requestTimeout: 2000,
      retry: { retries: 0 },
    }).admin();
  }

  /**
   * Idempotent. If the cluster is down at boot, the caller may go on without it: the relay's
   * next append calls start() again, so the outbox fills and drains once Kafka is reachable.
   */
  start(): Promise<void> {
    if (this.started) return Promise.resolve();
    // A failure is kept for health(), so /ready names it (a refused login, an untrusted certificate).
    this.starting ??= this.connectAndCreateTopics()
      .catch((err: unknown) => {
        this.markFailed(err);
        throw err;
      })
      .finally(() => (this.starting = null));
    return this.starting;
  }

  private async connectAndCreateTopics(): Promise<void> {
    await this.admin.connect();
    const existing = new Set(await this.admin.listTopics());
    const missing = Object.entries(this.options.topics)
      .map(([name, spec]) => ({ topic: physicalTopic(this.prefix, name), spec }))
      .filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map(({ topic, spec }) => ({ topic, numPartitions: spec.partitions, replicationFactor: -1, configEntries: [{ name: 'retention.ms', value: String(spec.retentionMs) }] })),
      });
      this.log.info({ topics: missing.map((t) => t.topic) }, 'kafka: created topics');
    }
    await this.connectedProducer();
    this.started = true;
    this.markOk();
    this.probe = setInterval(() => void this.checkCluster(), this.options.probeIntervalMs ?? 2000);
    this.probe.unref();
  }

  async append(records: readonly LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (!this.started) {
      try {
        await this.start();
      } catch (err) {
        this.markFailed(err);
        throw err;
      }
    }
    const byTopic = new Map<string, { key: string; value: Buffer; headers?: Record<string, string> }[]>();
    for (const r of records) {
      const topic = physicalTopic(this.prefix, r.topic);
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      list.push({ key: r.key, value: r.value, ...(r.headers && { headers: { ...r.headers } }) });
    }
    try {
      const producer = await this.connectedProducer();
      await producer.sendBatch({ acks: -1, timeout: 30_000, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      this.markOk();
    } catch (err) {
      this.markFailed(err);
      this.dropProducer();
      throw err;
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (!this.started) throw new Error('kafka log: subscribe before start()');
    const sub = await subscribeKafka(this.kafka, this.admin, this.prefix, options, this.log);
    this.subscriptions.add(sub);
    return {
      stop: async () => {
        this.subscriptions.delete(sub);
        await sub.stop();
      },
    };
  }

  health(): LogHealth {
    if (!this.started) return { ok: false, detail: this.lastError === null ? 'kafka log not started' : `kafka log not started: ${this.lastError}` };
    return this.reachable ? { ok: true, detail: `kafka: ${this.options.brokers.length} broker(s) reachable` } : { ok: false, detail: `kafka unreachable: ${this.lastError ?? 'unknown'}` };
  }

  async close(): Promise<void> {
    clearInterval(this.probe);
    await Promise.all([...this.subscriptions].map((s) => s.stop().catch(() => {})));
    this.subscriptions.clear();
    const producer = this.producer?.client;
    this.producer = null;
    await settleWithin(Promise.all([producer?.disconnect(), this.admin.disconnect(), this.probeAdmin.disconnect()]), 10_000);
    this.started = false;
  }

  /**
   * The producer, connected. After a failed send kafkajs' idempotent producer may hold sequence
   * numbers the broker never stored, and then fails every later send with
   * OUT_OF_ORDER_SEQUENCE_NUMBER (tulios/kafkajs#598; seen here after a broker restart). So a
   * failed send drops the producer and the retry gets a fresh one (a new producer id). The
   * relay resends the whole batch in order: at worst some records arrive twice, never reordered.
   */
  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const client = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: () => ({ partitionMetadata, message }) => partitionFor(message.key == null ? '' : message.key.toString(), partitionMetadata.length),
      });
      this.producer = { client, connected: client.connect() };
    }
    const { client, connected } = this.producer;
    try {
      await connected;
    } catch (err) {
      this.dropProducer();
      throw err;
    }
    return client;
  }

  private dropProducer(): void {
    const old = this.producer?.client;
    this.producer = null;
    if (old) void settleWithin(old.disconnect(), 5000);
  }

  private async checkCluster(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await this.probeAdmin.connect();
      await this.probeAdmin.describeCluster();
      this.markOk();
    } catch (err) {
      this.markFailed(err);
      await this.probeAdmin.disconnect().catch(() => {});
    } finally {
      this.probing = false;
    }
  }

  private markOk(): void {
    if (!this.reachable) this.log.info({}, 'kafka: cluster reachable');
    this.reachable = true;
    this.lastError = null;
  }

  private markFailed(err: unknown): void {
    if (this.reachable) this.log.warn({ err: errorMessage(err) }, 'kafka: cluster unreachable');
    this.reachable = false;
    this.lastError = errorMessage(err);
  }
}
