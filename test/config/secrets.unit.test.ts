/**
 * Secrets in the configuration: whatever serializes the whole configuration (a log line, JSON, an
 * inspection) shows none of them, while the code that needs one can still read it.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

const SECRETS = {
  JARVIS_JWT_SECRET: 'jwt-secret-value-'.padEnd(72, 'j'),
  JARVIS_API_KEY_1: 'api-key-one-value-0001',
  JARVIS_API_KEY_2: 'api-key-two-value-0002',
  JARVIS_ADMIN_KEY: 'admin-key-value-0003',
  KAFKA_SASL_PASSWORD: 'kafka-sasl-password-0004',
  ANTHROPIC_API_KEY: 'anthropic-api-key-0005',
  DEEPSEEK_API_KEY: 'deepseek-api-key-0006',
  JARVIS_LOCAL_LLM_API_KEY: 'local-llm-api-key-0007',
  JARVIS_AUDIT_HMAC_KEY: 'audit-hmac-key-value-'.padEnd(40, 'h'),
} as const;

const ENV = {
  JARVIS_DATA_DIR: '/tmp/jarvis-secrets-test',
  KAFKA_BROKERS: 'broker-1:9093,broker-2:9093',
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: 'jarvis',
  JARVIS_LOCAL_LLM_URL: 'http://127.0.0.1:11434',
  ...SECRETS,
};

function leaked(text: string): string[] {
  return Object.entries(SECRETS).filter(([, value]) => text.includes(value)).map(([name]) => name);
}

/** One line written by the project's logger factory, captured from its destination stream. */
function logLine(obj: object): string {
  let out = '';
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString('utf8');
      cb();
    },
  });
  createLogger({ level: 'info', destination }).info(obj, 'configuration');
  return out;
}

describe('secrets in the configuration', () => {
  const config = loadConfig(ENV);

  it('are all configured (the test sets every one)', () => {
    assert.equal(config.auth.staticKeys.length, 3);
    assert.notEqual(config.eventLog.kafkaSasl, null);
    assert.deepEqual([...config.chat.order].sort(), ['anthropic', 'deepseek', 'local']);
    assert.ok(config.chat.local?.apiKey);
    assert.ok(config.audit.hmacKey);
  });

  it('do not appear when the whole configuration is JSON-serialized', () => {
    assert.deepEqual(leaked(JSON.stringify(config)), []);
  });

  it('do not appear when the whole configuration is inspected to any depth', () => {
    assert.deepEqual(leaked(inspect(config, { depth: Infinity, showHidden: true })), []);
  });

  it('do not appear in a log line of { config } written by the project logger', () => {
    const line = logLine({ config });
    assert.ok(line.includes('"msg":"configuration"'), line);
    assert.deepEqual(leaked(line), []);
  });

  it('do not appear when a section is put into a string or an error message', () => {
    const texts = [
      `${String(config.chat.anthropic?.apiKey)} ${String(config.auth.jwtSecret)}`,
      new Error(`bad section: ${JSON.stringify(config.auth)} ${JSON.stringify(config.eventLog.kafkaSasl)} ${inspect(config.chat)}`).message,
    ];
    for (const text of texts) assert.deepEqual(leaked(text), []);
  });

  it('are still readable, each where it is needed', () => {
    assert.equal(config.auth.jwtSecret?.reveal(), SECRETS.JARVIS_JWT_SECRET);
    assert.deepEqual(config.auth.staticKeys.map((k) => [k.id, k.secret.reveal()]), [
      ['env-1', SECRETS.JARVIS_API_KEY_1],
      ['env-2', SECRETS.JARVIS_API_KEY_2],
      ['admin', SECRETS.JARVIS_ADMIN_KEY],
    ]);
    assert.equal(config.eventLog.kafkaSasl?.password.reveal(), SECRETS.KAFKA_SASL_PASSWORD);
    assert.equal(config.chat.anthropic?.apiKey.reveal(), SECRETS.ANTHROPIC_API_KEY);
    assert.equal(config.chat.deepseek?.apiKey.reveal(), SECRETS.DEEPSEEK_API_KEY);
    assert.equal(config.chat.local?.apiKey?.reveal(), SECRETS.JARVIS_LOCAL_LLM_API_KEY);
    assert.equal(config.audit.hmacKey?.reveal(), SECRETS.JARVIS_AUDIT_HMAC_KEY);
  });
});
