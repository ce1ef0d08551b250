/**
 * The configuration, parsed once from the environment into a frozen, typed object.
 * No other file reads process.env. `describeConfig` gives the fields that are safe to log.
 * Every variable is documented in deployment/.env.example.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { hostname } from 'node:os';
import { type Permission } from '../../events/define.ts';
import { optSecret, Secret } from '../shared/secret.ts';
import { bool, ConfigError, duration, type Env, int, list, oneOf, optStr, type Rate, rate, size, str } from './parse.ts';
import { parseAuditConfig, type AuditConfig } from './audit.ts';
import { parseChatConfig, type ChatConfig } from './chat.ts';
import { parseTtsConfig, type TtsConfig } from './tts.ts';
import { checkTlsFiles } from './tls-files.ts';
import { describeKafkaSecurity, type KafkaSasl, type KafkaTls, parseKafkaSecurity } from './kafka.ts';

export { ConfigError } from './parse.ts';

export type NodeEnv = 'development' | 'production' | 'test';

/** A key configured in the environment (JARVIS_API_KEY_N or JARVIS_ADMIN_KEY). */
export interface StaticKey {
  readonly id: string;
  readonly name: string;
  readonly secret: Secret;
  readonly permissions: readonly Permission[];
}

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly version: string;
  readonly instanceId: string;
  readonly dataDir: string;
  readonly workers: number;
  readonly logLevel: string;
  /** JARVIS_LOG_CONTENT: prompt and answer texts may go to events and logs. */
  readonly logContent: boolean;
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly metricsHost: string;
    readonly metricsPort: number;
    readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
    readonly trustedHosts: readonly string[];
    readonly allowedOrigins: readonly string[];
    readonly allowedIps: readonly string[];
    readonly blockedIps: readonly string[];
    readonly trustedProxies: readonly string[];
    readonly maxBodyBytes: number;
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    readonly maxConnections: number;
    readonly maxStreamsPerPrincipal: number;
    readonly streamUrlTtlMs: number;
  };
  readonly auth: {
    /** Undefined only before bootstrap generated one (development). */
    readonly jwtSecret: Secret | undefined;
    readonly jwtIssuer: string;
    readonly jwtAudience: string;
    readonly jwtTtlMs: number;
    readonly sessionIdleMs: number;
    readonly sessionAbsoluteMs: number;
    readonly staticKeys: readonly StaticKey[];
    readonly keyExpiryWarningMs: number;
    readonly bruteForceThreshold: number;
    readonly bruteForceWindowMs: number;
    readonly bruteForceBlockMs: number;
  };
  readonly rateLimit: { readonly api: Rate; readonly stream: Rate };
  readonly eventLog: {
    /** Null: the embedded log under dataDir. */
    readonly kafkaBrokers: readonly string[] | null;
    readonly kafkaClientId: string;
    /** KAFKA_SSL, KAFKA_SSL_CA, KAFKA_SSL_CERT, KAFKA_SSL_KEY. Null: PLAINTEXT. */
    readonly kafkaTls: KafkaTls | null;
    /** KAFKA_SASL_MECHANISM, _USERNAME, _PASSWORD (a secret). Null: no SASL. */
    readonly kafkaSasl: KafkaSasl | null;
    readonly topicPrefix: string;
    readonly outboxMaxEvents: number;
    /**
     * JARVIS_EVENTLOG_SYNC: `normal` (default) survives a crash of the process — the OS holds
     * the write; `full` also survives power loss, at the price of an fsync per group commit.
     */
    readonly sync: 'normal' | 'full';
    readonly projector: 'inprocess' | 'external';
  };
  readonly chat: ChatConfig;
  readonly tts: TtsConfig;
  readonly audit: AuditConfig;
}

const PERMISSIONS: readonly Permission[] = ['read', 'chat', 'stream', 'admin'];

/**
 * The longest instance id. Events carry it (`instance`, at most 64 characters), a cluster worker's
 * with `-w<N>` appended: a longer one would make every such event fail validation where it is read.
 */
export const MAX_INSTANCE_ID = 56;

/** `<hostname>-<8 hex of the data directory>`, the hostname cut so that the whole fits MAX_INSTANCE_ID. */
export function defaultInstanceId(host: string, dataDir: string): string {
  return `${host.slice(0, MAX_INSTANCE_ID - 9)}-${createHash('sha256').update(dataDir).digest('hex').slice(0, 8)}`;
}

function instanceIdOf(env: Env, dataDir: string): string {
  const id = str(env, 'JARVIS_INSTANCE_ID', defaultInstanceId(hostname(), dataDir));
  if (id.length > MAX_INSTANCE_ID) throw new ConfigError('JARVIS_INSTANCE_ID', `at most ${MAX_INSTANCE_ID} characters (events carry it, with a worker suffix); got ${id.length}`);
  return id;
}

function permissions(env: Env, name: string, fallback: readonly Permission[]): Permission[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return [...fallback];
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of items) {
    if (!(PERMISSIONS as readonly string[]).includes(p)) throw new ConfigError(name, `unknown permission "${p}" (expected read, chat, stream, admin)`);
  }
  return [...new Set(items)] as Permission[];
}

function staticKeys(env: Env): StaticKey[] {
  // Checked as raw strings, wrapped at the end.
  const keys: (Omit<StaticKey, 'secret'> & { secret: string })[] = [];
  const numbers = Object.keys(env)
    .map((k) => /^JARVIS_API_KEY_(\d+)$/.exec(k)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  for (const n of numbers) {
    const secret = env[`JARVIS_API_KEY_${n}`];
    if (!secret) continue;
    if (secret.length < 16) throw new ConfigError(`JARVIS_API_KEY_${n}`, 'an API key must be at least 16 characters');
    keys.push({
      id: `env-${n}`,
      name: str(env, `JARVIS_API_KEY_${n}_NAME`, `key ${n}`),
      secret,
      permissions: permissions(env, `JARVIS_API_KEY_${n}_PERMISSIONS`, ['read', 'chat', 'stream']),
    });
  }
  const admin = optStr(env, 'JARVIS_ADMIN_KEY');
  if (admin) {
    if (admin.length < 16) throw new ConfigError('JARVIS_ADMIN_KEY', 'the admin key must be at least 16 characters');
    keys.push({ id: 'admin', name: 'admin', secret: admin, permissions: PERMISSIONS });
  }
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.secret)) throw new ConfigError(k.id === 'admin' ? 'JARVIS_ADMIN_KEY' : `JARVIS_API_KEY_${k.id.slice(4)}`, 'the same key is configured twice');
    seen.add(k.secret);
  }
  return keys.map((k) => ({ ...k, secret: new Secret(k.secret) }));
}

/** Parses the environment. Throws ConfigError (naming the variable) on the first bad value. */
export function loadConfig(env: Env, version = '0.0.0'): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';

  const jwtSecret = optStr(env, 'JARVIS_JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 64 && nodeEnv !== 'development' && nodeEnv !== 'test') {
    throw new ConfigError('JARVIS_JWT_SECRET', `must be at least 64 characters (got ${jwtSecret.length}); generate one with: openssl rand -base64 64 | tr -d '\\n'`);
  }
  if (jwtSecret === undefined && production) {
    throw new ConfigError('JARVIS_JWT_SECRET', "is required when NODE_ENV=production; generate one with: openssl rand -base64 64 | tr -d '\\n'");
  }
  const jwtTtlMs = duration(env, 'JARVIS_JWT_TTL', '15m');
  if (jwtTtlMs > 86_400_000 || jwtTtlMs < 1000) throw new ConfigError('JARVIS_JWT_TTL', 'must be between 1s and 24h');

  const certFile = optStr(env, 'JARVIS_TLS_CERT');
  const keyFile = optStr(env, 'JARVIS_TLS_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(certFile ? 'JARVIS_TLS_KEY' : 'JARVIS_TLS_CERT', 'JARVIS_TLS_CERT and JARVIS_TLS_KEY go together');
  }
  if (certFile && keyFile) checkTlsFiles(certFile, keyFile);
  const brokers = list(env, 'KAFKA_BROKERS');
  const kafkaSecurity = parseKafkaSecurity(env, production);
  const port = env.JARVIS_PORT !== undefined && env.JARVIS_PORT !== '' ? int(env, 'JARVIS_PORT', 8000, 0, 65535) : int(env, 'PORT', 8000, 0, 65535);

  const dataDir = path.resolve(str(env, 'JARVIS_DATA_DIR', './data'));
  const config: Config = {
    nodeEnv,
    version,
    // Stable across restarts (its consumer groups and views resume), unique per data directory.
    instanceId: instanceIdOf(env, dataDir),
    dataDir,
    workers: int(env, 'JARVIS_WORKERS', production ? 4 : 1, 1, 64),
    logLevel: oneOf(env, 'JARVIS_LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, nodeEnv === 'test' ? 'warn' : 'info'),
    logContent: bool(env, 'JARVIS_LOG_CONTENT', false),
    http: {
      host: str(env, 'JARVIS_HOST', production ? '0.0.0.0' : '127.0.0.1'),
      port,
      metricsHost: str(env, 'JARVIS_METRICS_HOST', '127.0.0.1'),
      metricsPort: int(env, 'JARVIS_METRICS_PORT', 9464, 0, 65535),
      tls: certFile && keyFile ? { certFile, keyFile } : null,
      trustedHosts: list(env, 'JARVIS_TRUSTED_HOSTS').map((h) => h.toLowerCase()),
      allowedOrigins: list(env, 'JARVIS_ALLOWED_ORIGINS'),
      allowedIps: list(env, 'JARVIS_ALLOWED_IPS'),
      blockedIps: list(env, 'JARVIS_BLOCKED_IPS'),
      trustedProxies: list(env, 'JARVIS_TRUSTED_PROXIES'),
      maxBodyBytes: size(env, 'JARVIS_MAX_BODY', '10mb'),
      headersTimeoutMs: duration(env, 'JARVIS_HEADERS_TIMEOUT', '20s'),
      requestTimeoutMs: duration(env, 'JARVIS_REQUEST_TIMEOUT', '120s'),
      keepAliveTimeoutMs: duration(env, 'JARVIS_KEEPALIVE_TIMEOUT', '5s'),
      maxConnections: int(env, 'JARVIS_MAX_CONNECTIONS', 1024, 1),
      maxStreamsPerPrincipal: int(env, 'JARVIS_MAX_STREAMS_PER_PRINCIPAL', 4, 1),
      streamUrlTtlMs: duration(env, 'JARVIS_STREAM_URL_TTL', '10m'),
    },
    auth: {
      jwtSecret: optSecret(jwtSecret),
      jwtIssuer: str(env, 'JARVIS_JWT_ISSUER', 'jarvis-api'),
      jwtAudience: str(env, 'JARVIS_JWT_AUDIENCE', 'jarvis-api'),
      jwtTtlMs,
      sessionIdleMs: duration(env, 'JARVIS_SESSION_IDLE_TIMEOUT', '30m'),
      sessionAbsoluteMs: duration(env, 'JARVIS_SESSION_MAX_AGE', '24h'),
      staticKeys: staticKeys(env),
      keyExpiryWarningMs: duration(env, 'JARVIS_KEY_EXPIRY_WARNING', '7d'),
      bruteForceThreshold: int(env, 'JARVIS_BRUTE_FORCE_THRESHOLD', 20, 1),
      bruteForceWindowMs: duration(env, 'JARVIS_BRUTE_FORCE_WINDOW', '5m'),
      bruteForceBlockMs: duration(env, 'JARVIS_BRUTE_FORCE_BLOCK', '15m'),
    },
    rateLimit: {
      api: rate(env, 'JARVIS_RATE_LIMIT_API', '60/min'),
      stream: rate(env, 'JARVIS_RATE_LIMIT_STREAM', '30/min'),
    },
    eventLog: {
      kafkaBrokers: brokers.length > 0 ? brokers : null,
      kafkaClientId: str(env, 'KAFKA_CLIENT_ID', 'jarvis-api'),
      kafkaTls: kafkaSecurity.tls,
      kafkaSasl: kafkaSecurity.sasl,
      topicPrefix: str(env, 'JARVIS_TOPIC_PREFIX', ''),
      outboxMaxEvents: int(env, 'JARVIS_OUTBOX_MAX_EVENTS', 1_000_000, 100),
      sync: oneOf(env, 'JARVIS_EVENTLOG_SYNC', ['normal', 'full'] as const, 'normal'),
      projector: oneOf(env, 'JARVIS_PROJECTOR', ['inprocess', 'external'] as const, 'inprocess'),
    },
    chat: parseChatConfig(env),
    tts: parseTtsConfig(env),
    audit: parseAuditConfig(env),
  };
  return deepFreeze(config);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** The fields that are safe to log: no secret, no key, only counts and names. */
export function describeConfig(c: Config): Record<string, unknown> {
  return {
    nodeEnv: c.nodeEnv,
    instanceId: c.instanceId,
    dataDir: c.dataDir,
    workers: c.workers,
    listen: `${c.http.tls ? 'https' : 'http'}://${c.http.host}:${c.http.port}`,
    metrics: `${c.http.metricsHost}:${c.http.metricsPort}`,
    // The mechanism only: never the SASL user or password.
    eventLog: c.eventLog.kafkaBrokers ? `kafka (${c.eventLog.kafkaBrokers.length} brokers, ${describeKafkaSecurity({ tls: c.eventLog.kafkaTls, sasl: c.eventLog.kafkaSasl })})` : 'embedded',
    staticKeys: c.auth.staticKeys.map((k) => ({ id: k.id, name: k.name, permissions: k.permissions })),
    rateLimit: c.rateLimit,
    trustedHosts: c.http.trustedHosts.length,
    allowedIps: c.http.allowedIps.length,
    trustedProxies: c.http.trustedProxies.length,
    chatProviders: c.chat.order,
    ttsEngine: c.tts.engine,
    auditRetentionMs: c.audit.retentionMs,
    auditHmac: c.audit.hmacKey ? 'on' : 'off',
  };
}
