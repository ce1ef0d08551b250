/** KAFKA_SSL* and KAFKA_SASL_*: parsed once, a bad value names the variable, the password stays secret. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from '../../src/config/config.ts';
import { makeSelfSignedCert, type TestCert } from '../support/tls-cert.ts';

const PASSWORD = 'kafka-unit-test-password-1234';
const base = { JARVIS_DATA_DIR: '/tmp/x', KAFKA_BROKERS: 'broker-1:9093' };
const sasl = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'jarvis', KAFKA_SASL_PASSWORD: PASSWORD };

describe('kafka TLS and SASL configuration', () => {
  let ca: TestCert;
  let other: TestCert;
  let notPem: string;
  before(() => {
    ca = makeSelfSignedCert('jarvis-kafka-ca-');
    other = makeSelfSignedCert('jarvis-kafka-other-');
    notPem = path.join(ca.dir, 'not.pem');
    writeFileSync(notPem, 'hello\n');
  });
  after(() => {
    ca.remove();
    other.remove();
  });

  it('is PLAINTEXT without SASL by default', () => {
    const c = loadConfig(base);
    assert.equal(c.eventLog.kafkaTls, null);
    assert.equal(c.eventLog.kafkaSasl, null);
    assert.equal(describeConfig(c).eventLog, 'kafka (1 brokers, plaintext)');
  });

  it('reads TLS with a CA bundle and a client certificate, and SASL in either case of spelling', () => {
    const c = loadConfig({ ...base, KAFKA_SSL: 'true', KAFKA_SSL_CA: ca.certFile, KAFKA_SSL_CERT: ca.certFile, KAFKA_SSL_KEY: ca.keyFile, ...sasl, KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512' });
    assert.deepEqual(c.eventLog.kafkaTls, { caFile: ca.certFile, client: { certFile: ca.certFile, keyFile: ca.keyFile } });
    // A Secret holds the password: compare what it reveals (deepEqual sees no private field).
    const { password, ...rest } = c.eventLog.kafkaSasl!;
    assert.deepEqual(rest, { mechanism: 'scram-sha-512', username: 'jarvis' });
    assert.equal(password.reveal(), PASSWORD);
    assert.ok(Object.isFrozen(c.eventLog.kafkaSasl));
    assert.equal(loadConfig({ ...base, KAFKA_SSL: 'yes' }).eventLog.kafkaTls?.caFile, undefined);
  });

  it('keeps the password (and the user) out of the logged summary', () => {
    const summary = JSON.stringify(describeConfig(loadConfig({ ...base, KAFKA_SSL: 'true', KAFKA_SSL_CA: ca.certFile, ...sasl })));
    assert.ok(!summary.includes(PASSWORD) && !summary.includes('jarvis'), summary);
    assert.match(summary, /kafka \(1 brokers, tls \(own CA\), sasl scram-sha-512\)/);
  });

  it('refuses SASL/PLAIN without TLS in production (the password would travel in clear), not SCRAM', () => {
    const prod = { ...base, NODE_ENV: 'production', JARVIS_JWT_SECRET: 's'.repeat(64), ...sasl };
    assert.throws(() => loadConfig({ ...prod, KAFKA_SASL_MECHANISM: 'plain' }), (e: unknown) => e instanceof ConfigError && e.variable === 'KAFKA_SASL_MECHANISM' && /KAFKA_SSL=true/.test(e.message));
    assert.equal(loadConfig({ ...prod, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SSL: 'true' }).eventLog.kafkaSasl?.mechanism, 'plain');
    assert.equal(loadConfig(prod).eventLog.kafkaSasl?.mechanism, 'scram-sha-512');
    // Development and tests talk to a loopback broker: allowed there.
    assert.equal(loadConfig({ ...base, ...sasl, KAFKA_SASL_MECHANISM: 'plain' }).eventLog.kafkaSasl?.mechanism, 'plain');
  });

  const bad: [name: string, variable: string, env: () => Record<string, string>][] = [
    ['KAFKA_SSL is not a boolean', 'KAFKA_SSL', () => ({ KAFKA_SSL: 'maybe' })],
    ['a CA file without KAFKA_SSL=true', 'KAFKA_SSL_CA', () => ({ KAFKA_SSL_CA: ca.certFile })],
    ['a client certificate without KAFKA_SSL=true', 'KAFKA_SSL_CERT', () => ({ KAFKA_SSL_CERT: ca.certFile, KAFKA_SSL_KEY: ca.keyFile })],
    ['a missing CA file', 'KAFKA_SSL_CA', () => ({ KAFKA_SSL: 'true', KAFKA_SSL_CA: '/nonexistent/ca.pem' })],
    ['a CA file that holds no certificate', 'KAFKA_SSL_CA', () => ({ KAFKA_SSL: 'true', KAFKA_SSL_CA: notPem })],
    ['a client certificate without its key', 'KAFKA_SSL_KEY', () => ({ KAFKA_SSL: 'true', KAFKA_SSL_CERT: ca.certFile })],
    ['a client key without its certificate', 'KAFKA_SSL_CERT', () => ({ KAFKA_SSL: 'true', KAFKA_SSL_KEY: ca.keyFile })],
    ['a client certificate that is not PEM', 'KAFKA_SSL_CERT', () => ({ KAFKA_SSL: 'true', KAFKA_SSL_CERT: notPem, KAFKA_SSL_KEY: ca.keyFile })],
    ['a client key of another certificate', 'KAFKA_SSL_KEY', () => ({ KAFKA_SSL: 'true', KAFKA_SSL_CERT: ca.certFile, KAFKA_SSL_KEY: other.keyFile })],
    ['an unknown mechanism', 'KAFKA_SASL_MECHANISM', () => ({ ...sasl, KAFKA_SASL_MECHANISM: 'gssapi' })],
    ['a mechanism without a user', 'KAFKA_SASL_USERNAME', () => ({ ...sasl, KAFKA_SASL_USERNAME: '' })],
    ['a mechanism without a password', 'KAFKA_SASL_PASSWORD', () => ({ ...sasl, KAFKA_SASL_PASSWORD: '' })],
    ['a user and password without a mechanism', 'KAFKA_SASL_MECHANISM', () => ({ ...sasl, KAFKA_SASL_MECHANISM: '' })],
  ];
  for (const [name, variable, env] of bad) {
    it(`stops on ${name}, naming ${variable} and never the password`, () => {
      assert.throws(() => loadConfig({ ...base, ...env() }), (e: unknown) => e instanceof ConfigError && e.variable === variable && e.message.startsWith(`${variable}: `) && !e.message.includes(PASSWORD));
    });
  }
});
