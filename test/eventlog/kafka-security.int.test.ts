/**
 * Kafka over TLS and SASL, against the real test broker: scripts/kafka/start.sh adds to its
 * PLAINTEXT listener (KAFKA_PORT) a SASL_PLAINTEXT one (KAFKA_PORT + 1) and a SASL_SSL one
 * (KAFKA_PORT + 2), with the user jarvis (PLAIN and SCRAM) and a private CA in .run/kafka-tls.
 * Each case goes the way a deployment does: environment → loadConfig → createEventLog → kafkajs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describeConfig, loadConfig } from '../../src/config/config.ts';
import { createEventLog } from '../../src/eventlog/factory.ts';
import type { LogSink } from '../../src/eventlog/logger.ts';
import type { TopicSpecs } from '../../src/eventlog/topics.ts';
import type { EventLog } from '../../src/eventlog/types.ts';
import { collect, deleteKafkaTopics, kafkaBrokers, tempDir, uniqueName } from '../support/eventlog-harness.ts';
import { makeSelfSignedCert, type TestCert } from '../support/tls-cert.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TLS_DIR = path.join(ROOT, '.run/kafka-tls');
const CA = path.join(TLS_DIR, 'ca.pem');
// The test broker's user, from scripts/kafka/start.sh (loopback only).
const USER = 'jarvis';
const PASSWORD = 'jarvis-test-password';
const TOPICS: TopicSpecs = { 'jarvis.http': { partitions: 2, retentionMs: 3_600_000 } };

// The listener ports, derived as start.sh derives them.
const [host, plainPort] = (kafkaBrokers?.[0] ?? '127.0.0.1:9092').split(':') as [string, string];
const saslPort = Number(process.env.KAFKA_SASL_PORT || Number(plainPort) + 1);
const saslSslPort = Number(process.env.KAFKA_SASL_SSL_PORT || Number(plainPort) + 2);

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const secured = kafkaBrokers !== null && (await listening(saslSslPort));
// A broker that start.sh did not start (KAFKA_BROKERS pointing elsewhere) has no such listeners:
// skip. One that start.sh started (its CA exists) but without them is stale: fail, saying why.
const skip = kafkaBrokers === null ? 'KAFKA_BROKERS is not set' : !secured && !fs.existsSync(CA) ? `no SASL_SSL listener on ${host}:${saslSslPort} (the broker was not started by scripts/kafka/start.sh)` : false;

/** A LogSink that keeps every line, as pino would write it. */
function recordingSink(): LogSink & { text(): string } {
  const lines: string[] = [];
  const keep = (level: string) => (obj: object, msg: string) => void lines.push(JSON.stringify({ level, ...obj, msg }));
  return { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error'), text: () => lines.join('\n') };
}

describe('kafka over TLS and SASL', { skip }, () => {
  const dirs: string[] = [];
  const logs: EventLog[] = [];
  const prefixes: string[] = [];
  let otherCa: TestCert;

  before(() => {
    assert.ok(secured, `no SASL_SSL listener on ${host}:${saslSslPort}: the running broker predates it; restart it: bash scripts/kafka/stop.sh && bash scripts/kafka/start.sh`);
    otherCa = makeSelfSignedCert('jarvis-kafka-other-ca-');
  });
  after(async () => {
    for (const l of logs) await l.close().catch(() => {});
    for (const p of prefixes) await deleteKafkaTopics(kafkaBrokers!, p);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    otherCa?.remove();
  });

  function open(port: number, env: Record<string, string>) {
    const dir = tempDir('kafka-security');
    dirs.push(dir);
    const prefix = `${uniqueName('sec')}.`;
    prefixes.push(prefix);
    const config = loadConfig({ NODE_ENV: 'test', JARVIS_DATA_DIR: dir, JARVIS_INSTANCE_ID: 'kafka-security', KAFKA_BROKERS: `${host}:${port}`, JARVIS_TOPIC_PREFIX: prefix, ...env });
    const sink = recordingSink();
    const log = createEventLog(config, { topics: TOPICS, logger: sink });
    logs.push(log);
    return { config, log, sink };
  }

  const sslEnv = { KAFKA_SSL: 'true', KAFKA_SSL_CA: CA };
  const accepted = [
    { name: 'SASL/PLAIN over SASL_SSL, the CA from a PEM file', port: () => saslSslPort, env: { ...sslEnv, KAFKA_SASL_MECHANISM: 'plain' } },
    { name: 'SASL/SCRAM-SHA-512 over SASL_SSL with a client certificate (mutual TLS)', port: () => saslSslPort, env: { ...sslEnv, KAFKA_SSL_CERT: path.join(TLS_DIR, 'client.pem'), KAFKA_SSL_KEY: path.join(TLS_DIR, 'client.key'), KAFKA_SASL_MECHANISM: 'scram-sha-512' } },
    { name: 'SASL/SCRAM-SHA-256 over SASL_PLAINTEXT', port: () => saslPort, env: { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256' } },
  ];
  for (const c of accepted) {
    test(`${c.name}: the event log appends and a consumer reads the records back`, async () => {
      const { config, log, sink } = open(c.port(), { ...c.env, KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: PASSWORD });
      await log.start();
      assert.equal(log.health().ok, true, log.health().detail);
      const records = ['a', 'b', 'c'].map((k, i) => ({ topic: 'jarvis.http', key: k, value: Buffer.from(JSON.stringify({ k, i })) }));
      await log.append(records);
      const consumer = await collect(log, { groupId: uniqueName('g'), topics: ['jarvis.http'], fromBeginning: true });
      await consumer.until((r) => r.length >= 3);
      await consumer.stop();
      assert.deepEqual(consumer.records.map((r) => r.value.toString()).sort(), records.map((r) => r.value.toString()).sort());
      await log.close();
      // What gets logged about this log (the start line's summary, kafkajs' own lines) never holds the password.
      const summary = JSON.stringify(describeConfig(config));
      assert.match(summary, new RegExp(`sasl ${config.eventLog.kafkaSasl!.mechanism}`));
      for (const text of [summary, sink.text(), log.health().detail]) assert.ok(!text.includes(PASSWORD), `the password leaked: ${text}`);
    });
  }

  for (const mechanism of ['plain', 'scram-sha-512']) {
    test(`a wrong password (SASL/${mechanism}) is refused with a clear error that does not contain the password`, async () => {
      const wrong = `wrong-${uniqueName('pw')}`;
      const { log, sink } = open(saslSslPort, { ...sslEnv, KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: wrong });
      const err = await log.start().then(() => assert.fail('start() succeeded with a wrong password'), (e: unknown) => e as Error);
      assert.match(err.message, /SASL .*authentication failed/i);
      // The log's health detail (logged, and shown by /ready in development) names the refusal too.
      assert.equal(log.health().ok, false);
      assert.match(log.health().detail, /authentication failed/i);
      for (const text of [err.message, String(err.stack), JSON.stringify(err), log.health().detail, sink.text()]) {
        assert.ok(!text.includes(wrong), `the password leaked: ${text}`);
      }
      // The outbox relay calls append(), which tries start() again: the same refusal, still clean.
      const again = await log.append([{ topic: 'jarvis.http', key: 'k', value: Buffer.from('{}') }]).then(() => null, (e: unknown) => e as Error);
      assert.ok(again && /authentication failed/i.test(again.message) && !again.message.includes(wrong));
    });
  }

  const refusedTls = [
    { name: 'a CA that did not sign the broker certificate', env: (): Record<string, string> => ({ KAFKA_SSL: 'true', KAFKA_SSL_CA: otherCa.certFile }) },
    { name: 'no CA, so only the public ones (verification is always on)', env: (): Record<string, string> => ({ KAFKA_SSL: 'true' }) },
  ];
  for (const c of refusedTls) {
    test(`TLS with ${c.name} is refused: the broker's certificate is not trusted`, async () => {
      const { log } = open(saslSslPort, { ...c.env(), KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: PASSWORD });
      const err = await log.start().then(() => assert.fail('start() trusted a certificate it should not'), (e: unknown) => e as Error);
      assert.match(err.message, /certificate/i);
      assert.equal(log.health().ok, false);
      assert.match(log.health().detail, /certificate/i);
    });
  }
});
