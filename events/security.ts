/**
 * Topic `jarvis.security`: the SECURITY_EVENT audit stream security teams query.
 * Derived by the projector from the raw events; each kind has a stable code and severity.
 * Records keep the CloudEvents shape; `data` carries what an investigation needs, never a secret.
 */
import { z } from 'zod';
import { defineEvent, Ip, KeyId } from './define.ts';

export const SECURITY_TOPIC = 'jarvis.security';

export const Severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * A link in a tamper-evidence chain. `partition` names the chain: the input partition the record
 * was derived from (`jarvis.auth/3`), or `key-expiry/<record id>` for a time-driven record.
 * `hash` = SHA-256 over partition, seq, prev and the canonical record without `source` and
 * `data.chain` (src/projections/security/chain.ts).
 */
export const ChainLinkData = z.object({
  partition: z.string().min(1).max(160),
  seq: z.number().int().positive(),
  prev: Sha256Hex,
  hash: Sha256Hex,
});

export const SecurityEventData = z.object({
  code: z.string().regex(/^JRV-[A-Z]+-\d{3}$/),
  severity: Severity,
  ip: Ip.nullable(),
  principal: KeyId.nullable(),
  request_id: z.string().max(128).nullable(),
  trace_id: z.string().regex(/^[0-9a-f]{32}$/).nullable(),
  outcome: z.enum(['denied', 'granted', 'blocked', 'detected', 'changed']),
  reason: z.string().max(256),
  caused_by: z.string().max(128).describe('id of the raw event this was derived from'),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  chain: ChainLinkData.optional().describe('tamper evidence: hash linking this record to the previous one in its chain partition (set by the projector)'),
});
export type SecurityEventData = z.infer<typeof SecurityEventData>;

/** Every kind of security event: CloudEvents type → stable code, severity and meaning. */
export const SECURITY_EVENT_KINDS = {
  'jarvis.security.auth_failed.v1': { code: 'JRV-AUTH-001', severity: 'low', meaning: 'A credential was missing, malformed, unknown, revoked or expired.' },
  'jarvis.security.brute_force_suspected.v1': { code: 'JRV-AUTH-002', severity: 'high', meaning: 'One IP failed authentication repeatedly within a short window.' },
  'jarvis.security.permission_denied.v1': { code: 'JRV-AUTHZ-001', severity: 'medium', meaning: 'A valid credential lacked the permission a route needs.' },
  'jarvis.security.rate_limit_exceeded.v1': { code: 'JRV-RATE-001', severity: 'low', meaning: 'A client used up a rate-limit window and got 429.' },
  'jarvis.security.rate_limit_degraded.v1': { code: 'JRV-RATE-002', severity: 'medium', meaning: 'An instance lost the shared log and enforces only its local share of each limit.' },
  'jarvis.security.blocked_ip_hit.v1': { code: 'JRV-NET-001', severity: 'medium', meaning: 'A blocked IP sent a request.' },
  'jarvis.security.ip_not_allowed.v1': { code: 'JRV-NET-002', severity: 'medium', meaning: 'An IP outside JARVIS_ALLOWED_IPS sent a request.' },
  'jarvis.security.untrusted_host.v1': { code: 'JRV-NET-003', severity: 'low', meaning: 'A request named a Host outside JARVIS_TRUSTED_HOSTS.' },
  'jarvis.security.ip_auto_blocked.v1': { code: 'JRV-NET-004', severity: 'high', meaning: 'An IP was blocked automatically after brute-force suspicion.' },
  'jarvis.security.input_rejected.v1': { code: 'JRV-INPUT-001', severity: 'low', meaning: 'An oversized, mistyped or invalid request body was refused.' },
  'jarvis.security.admin_action.v1': { code: 'JRV-ADMIN-001', severity: 'info', meaning: 'An admin created, rotated or revoked a key, or blocked or unblocked an address.' },
  'jarvis.security.key_revoked.v1': { code: 'JRV-KEY-001', severity: 'medium', meaning: 'An API key was revoked.' },
  'jarvis.security.key_expiring.v1': { code: 'JRV-KEY-002', severity: 'low', meaning: 'An API key expires within the warning period.' },
  'jarvis.security.key_expired.v1': { code: 'JRV-KEY-003', severity: 'medium', meaning: 'An API key reached its expiry and no longer works.' },
  'jarvis.security.session_revoked.v1': { code: 'JRV-SESSION-001', severity: 'info', meaning: 'A session was revoked by logout, an admin or its key.' },
  'jarvis.security.audit_queried.v1': { code: 'JRV-AUDIT-001', severity: 'info', meaning: 'Someone queried or exported the audit log.' },
} as const satisfies Record<string, { code: string; severity: z.infer<typeof Severity>; meaning: string }>;

export type SecurityEventType = keyof typeof SECURITY_EVENT_KINDS;

/** One event definition per security kind, all sharing the audit data schema. */
export const SecurityEvents = Object.fromEntries(
  Object.entries(SECURITY_EVENT_KINDS).map(([type, kind]) => [
    type,
    defineEvent({ type, topic: SECURITY_TOPIC, description: `${kind.code}: ${kind.meaning}`, data: SecurityEventData }),
  ]),
) as Record<SecurityEventType, ReturnType<typeof defineEvent<SecurityEventType, typeof SecurityEventData>>>;

/**
 * The chain heads, published periodically by the projector on jarvis.security: the newest link
 * of every chain that moved. Not a security event: it is not in SECURITY_EVENT_KINDS, which is
 * what the audit and the projector check, so queries and stats never see it. The audit keeps it as evidence that `jarvis audit verify` checks the chains against, so a chain
 * cut short or rewritten after a head was published is caught.
 */
export const ChainHeadPublished = defineEvent({
  type: 'jarvis.security.chain_head_published.v1',
  topic: SECURITY_TOPIC,
  description: 'The newest link of each tamper-evidence chain that moved since the last publication.',
  data: z.object({
    heads: z.array(z.object({ partition: z.string().min(1).max(160), seq: z.number().int().positive(), hash: Sha256Hex })).min(1).max(1000),
  }),
});
