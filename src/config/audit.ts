/** The audit section of the configuration (owned by src/audit), and the `jarvis` CLI's environment. */
import { optSecret, type Secret } from '../shared/secret.ts';
import { bool, ConfigError, duration, type Env, int, optStr } from './parse.ts';

export interface AuditConfig {
  /** JARVIS_AUDIT_RETENTION: how long the audit read model keeps a record (default 365d). */
  readonly retentionMs: number;
  /** JARVIS_AUDIT_HMAC_KEY: when set, key ids and session ids are stored as keyed HMACs. Secret. */
  readonly hmacKey: Secret | undefined;
  /** JARVIS_AUDIT_HMAC_IPS: also store client IPs as HMACs (CIDR filters then no longer apply). */
  readonly hmacIps: boolean;
  /** JARVIS_AUDIT_LIVE_MAX: concurrent /admin/audit/live clients per instance. */
  readonly maxLiveClients: number;
  /** JARVIS_AUDIT_HEAD_EVERY: how often the chain heads are written to audit-heads.jsonl and the log. */
  readonly headEveryMs: number;
}

/** Parses the JARVIS_AUDIT_* variables; a bad value names the variable. */
export function parseAuditConfig(env: Env): AuditConfig {
  const hmacKey = optStr(env, 'JARVIS_AUDIT_HMAC_KEY');
  if (hmacKey !== undefined && hmacKey.length < 32) throw new ConfigError('JARVIS_AUDIT_HMAC_KEY', 'must be at least 32 characters');
  const hmacIps = bool(env, 'JARVIS_AUDIT_HMAC_IPS', false);
  if (hmacIps && hmacKey === undefined) throw new ConfigError('JARVIS_AUDIT_HMAC_IPS', 'needs JARVIS_AUDIT_HMAC_KEY');
  return {
    retentionMs: duration(env, 'JARVIS_AUDIT_RETENTION', '365d'),
    hmacKey: optSecret(hmacKey),
    hmacIps,
    maxLiveClients: int(env, 'JARVIS_AUDIT_LIVE_MAX', 16, 1, 10_000),
    headEveryMs: duration(env, 'JARVIS_AUDIT_HEAD_EVERY', '1m'),
  };
}

/** What the `jarvis` CLI reads: where the API is and the admin key (never printed). */
export interface CliEnv {
  readonly url: string;
  readonly adminKey: Secret | undefined;
}

export function parseCliEnv(env: Env): CliEnv {
  const url = optStr(env, 'JARVIS_URL') ?? 'http://127.0.0.1:8000';
  try {
    new URL(url);
  } catch {
    throw new ConfigError('JARVIS_URL', `not a URL: "${url}"`);
  }
  return { url: url.replace(/\/+$/, ''), adminKey: optSecret(optStr(env, 'JARVIS_ADMIN_KEY')) };
}
