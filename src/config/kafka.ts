/**
 * How the Kafka clients reach the brokers: TLS (KAFKA_SSL*) and SASL (KAFKA_SASL_*). Part of
 * `config.eventLog`; the files are checked here at start and read again by the event log factory.
 * Certificate verification is always on: there is no variable to turn it off.
 */
import { Secret } from '../shared/secret.ts';
import { bool, ConfigError, type Env, optStr } from './parse.ts';
import { checkCaBundle, checkTlsFiles } from './tls-files.ts';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaTls {
  /** KAFKA_SSL_CA: a PEM bundle of the CAs to trust; undefined trusts Node's public CAs. */
  readonly caFile: string | undefined;
  /** KAFKA_SSL_CERT / KAFKA_SSL_KEY: a client certificate for mutual TLS, both or neither. */
  readonly client: { readonly certFile: string; readonly keyFile: string } | null;
}

export interface KafkaSasl {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  /** KAFKA_SASL_PASSWORD. Secret: never logged, never in /status, events, metrics or errors. */
  readonly password: Secret;
}

export interface KafkaSecurity {
  /** Null: PLAINTEXT (KAFKA_SSL unset or false). */
  readonly tls: KafkaTls | null;
  /** Null: no SASL (KAFKA_SASL_MECHANISM unset). */
  readonly sasl: KafkaSasl | null;
}

function parseTls(env: Env): KafkaTls | null {
  const on = bool(env, 'KAFKA_SSL', false);
  const caFile = optStr(env, 'KAFKA_SSL_CA');
  const certFile = optStr(env, 'KAFKA_SSL_CERT');
  const keyFile = optStr(env, 'KAFKA_SSL_KEY');
  if (!on) {
    // Files given without KAFKA_SSL=true would be silently ignored, and the connection plain.
    const stray = caFile !== undefined ? 'KAFKA_SSL_CA' : certFile !== undefined ? 'KAFKA_SSL_CERT' : keyFile !== undefined ? 'KAFKA_SSL_KEY' : null;
    if (stray) throw new ConfigError(stray, 'is set but KAFKA_SSL is not true');
    return null;
  }
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(certFile ? 'KAFKA_SSL_KEY' : 'KAFKA_SSL_CERT', 'KAFKA_SSL_CERT and KAFKA_SSL_KEY go together');
  }
  if (caFile) checkCaBundle('KAFKA_SSL_CA', caFile);
  if (certFile && keyFile) checkTlsFiles(certFile, keyFile, { cert: 'KAFKA_SSL_CERT', key: 'KAFKA_SSL_KEY' });
  return { caFile, client: certFile && keyFile ? { certFile, keyFile } : null };
}

function parseSasl(env: Env, tls: boolean, production: boolean): KafkaSasl | null {
  const raw = optStr(env, 'KAFKA_SASL_MECHANISM');
  const username = optStr(env, 'KAFKA_SASL_USERNAME');
  const password = optStr(env, 'KAFKA_SASL_PASSWORD');
  if (raw === undefined) {
    if (username !== undefined || password !== undefined) throw new ConfigError('KAFKA_SASL_MECHANISM', `is required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set (one of ${SASL_MECHANISMS.join(', ')})`);
    return null;
  }
  // Kafka's own documentation spells them in capitals (SCRAM-SHA-512): accept either.
  const mechanism = raw.toLowerCase() as SaslMechanism;
  if (!SASL_MECHANISMS.includes(mechanism)) throw new ConfigError('KAFKA_SASL_MECHANISM', `expected one of ${SASL_MECHANISMS.join(', ')}, got "${raw}"`);
  if (username === undefined) throw new ConfigError('KAFKA_SASL_USERNAME', `is required with KAFKA_SASL_MECHANISM=${mechanism}`);
  // The value is never part of a message.
  if (password === undefined) throw new ConfigError('KAFKA_SASL_PASSWORD', `is required with KAFKA_SASL_MECHANISM=${mechanism}`);
  // PLAIN sends the password itself on every connection; SCRAM never does (a challenge-response).
  if (mechanism === 'plain' && !tls && production) {
    throw new ConfigError('KAFKA_SASL_MECHANISM', 'plain without KAFKA_SSL=true would send the Kafka password in clear; set KAFKA_SSL=true (or use scram-sha-512)');
  }
  return { mechanism, username, password: new Secret(password) };
}

/** Parses the KAFKA_SSL* and KAFKA_SASL_* variables; a bad value names the variable. */
export function parseKafkaSecurity(env: Env, production: boolean): KafkaSecurity {
  const tls = parseTls(env);
  return { tls, sasl: parseSasl(env, tls !== null, production) };
}

/** A loggable line: whether TLS and SASL are on, the mechanism; never the user or password. */
export function describeKafkaSecurity(s: KafkaSecurity): string {
  const tls = s.tls ? `tls${s.tls.caFile ? ' (own CA)' : ''}${s.tls.client ? ' + client certificate' : ''}` : 'plaintext';
  return s.sasl ? `${tls}, sasl ${s.sasl.mechanism}` : tls;
}
