/**
 * The security derivation: raw events in, SECURITY_EVENT records out (topic jarvis.security),
 * plus an automatic IpBlockAdded command (topic jarvis.admin) when one IP fails authentication
 * more than `bruteForceThreshold` times within `bruteForceWindowMs`. Thresholds are parameters,
 * never globals; every emitted id is derived from the causing event (see ids.ts).
 */
import {
  ADMIN_TOPIC, ApiKeyCreated, AuditRead, ApiKeyRevoked, ApiKeyRotated, AUTH_TOPIC, AuthDecisionRecorded, HTTP_TOPIC, InputRejected,
  IpBlockAdded, IpBlockRemoved, RateLimitDegraded, RateLimitExceeded, SECURITY_TOPIC, SessionRevoked, SESSIONS_TOPIC, type Envelope,
  type SecurityEventData,
} from '../../../events/index.ts';
import { ms, msOrNull, type EventOf } from '../events.ts';
import type { Derivation, Derived, DerivedEvent } from '../types.ts';
import { scanKeyExpiry } from './expiry.ts';
import { countFailure } from './brute-force.ts';
import { chainPartitionOf, linkAfter, recordOf } from './chain.ts';
import { securityRecord } from './records.ts';
import { initialSecurityState, securityFromJSON, securityToJSON, sweep, type SecurityState } from './state.ts';

export type { SecurityState } from './state.ts';
export { chainHash, chainPartitionOf, GENESIS, type ChainLink } from './chain.ts';
export { derivedId } from './ids.ts';

export interface SecurityOptions {
  readonly bruteForceThreshold: number;
  readonly bruteForceWindowMs: number;
  readonly bruteForceBlockMs: number;
  readonly keyExpiryWarningMs: number;
  /** CloudEvents `source` of what this derivation emits. */
  readonly source?: string;
  /** How far one partition may run ahead of another without changing a decision (default 6 h). */
  readonly latenessMs?: number;
}

type Raw =
  | EventOf<typeof AuthDecisionRecorded> | EventOf<typeof RateLimitExceeded> | EventOf<typeof RateLimitDegraded> | EventOf<typeof InputRejected>
  | EventOf<typeof AuditRead> | EventOf<typeof ApiKeyCreated> | EventOf<typeof ApiKeyRevoked> | EventOf<typeof ApiKeyRotated> | EventOf<typeof IpBlockAdded>
  | EventOf<typeof IpBlockRemoved> | EventOf<typeof SessionRevoked>;

const NONE: readonly DerivedEvent[] = Object.freeze([]);

const INPUT_KIND = {
  ip_blocked: ['jarvis.security.blocked_ip_hit.v1', 'blocked'],
  ip_not_allowed: ['jarvis.security.ip_not_allowed.v1', 'blocked'],
  untrusted_host: ['jarvis.security.untrusted_host.v1', 'denied'],
  body_too_large: ['jarvis.security.input_rejected.v1', 'denied'],
  unsupported_media_type: ['jarvis.security.input_rejected.v1', 'denied'],
  validation_failed: ['jarvis.security.input_rejected.v1', 'denied'],
  malformed_json: ['jarvis.security.input_rejected.v1', 'denied'],
  method_not_allowed: ['jarvis.security.input_rejected.v1', 'denied'],
} as const;

/**
 * Links each security record into its chain partition, in emission order, and moves the tip.
 * Part of the fold: replaying the same partition from a snapshot gives the same links.
 */
function chained(state: SecurityState, partition: string, emitted: DerivedEvent[]): DerivedEvent[] {
  return emitted.map((d) => {
    if (d.topic !== SECURITY_TOPIC) return d;
    const chain = linkAfter(partition, state.chains.get(partition) ?? null, recordOf(d.envelope));
    state.chains.set(partition, { seq: chain.seq, hash: chain.hash });
    return { ...d, envelope: { ...d.envelope, data: { ...(d.envelope.data as SecurityEventData), chain } } };
  });
}

/**
 * The events the derivation acts on (the runner skips the rest, neither applied nor journaled):
 * granted requests, finished requests and automatic blocks (reported when detected) cause nothing.
 */
function concerns(event: Envelope): boolean {
  const e = event as Raw;
  switch (e.type) {
    case AuthDecisionRecorded.type:
      return e.data.outcome !== 'granted';
    case IpBlockAdded.type:
      return e.data.source !== 'auto';
    case RateLimitExceeded.type:
    case RateLimitDegraded.type:
    case InputRejected.type:
    case AuditRead.type:
    case ApiKeyCreated.type:
    case ApiKeyRotated.type:
    case ApiKeyRevoked.type:
    case IpBlockRemoved.type:
    case SessionRevoked.type:
      return true;
    default:
      return false;
  }
}

/** Builds the derivation with its thresholds. */
export function securityDerivation(opts: SecurityOptions): Derivation<SecurityState> {
  const source = opts.source ?? '/jarvis/projector';
  const windowMs = opts.bruteForceWindowMs;
  const latenessMs = opts.latenessMs ?? 6 * 3_600_000;
  const rec = securityRecord.bind(null, source);
  const bruteForce = { threshold: opts.bruteForceThreshold, windowMs, blockMs: opts.bruteForceBlockMs, source };

  function derive(state: SecurityState, event: Envelope): Derived<SecurityState> {
    if (!concerns(event)) return { state, emitted: NONE };
    const e = event as Raw;
    let emitted: DerivedEvent[];
    switch (e.type) {
      case AuthDecisionRecorded.type: {
        const d = e.data;
        if (d.outcome === 'granted') return { state, emitted: NONE };
        const details = { stage: d.stage, method: d.method, route: d.route, permission: d.permission, session_id: d.session_id };
        if (d.stage === 'authorization') {
          emitted = [rec('jarvis.security.permission_denied.v1', e, { ip: d.ip, principal: d.principal, request_id: d.request_id, outcome: 'denied', reason: d.reason, details })];
          break;
        }
        emitted = [rec('jarvis.security.auth_failed.v1', e, { ip: d.ip, principal: d.principal, request_id: d.request_id, outcome: 'denied', reason: d.reason, details })];
        emitted.push(...countFailure(state, e, ms(e.time), bruteForce));
        break;
      }
      case RateLimitExceeded.type: {
        const d = e.data;
        const details = { tier: d.tier, scope: d.scope, limit: d.limit, window_seconds: d.window_seconds, retry_after_seconds: d.retry_after_seconds };
        emitted = [rec('jarvis.security.rate_limit_exceeded.v1', e, { ip: d.ip, principal: d.principal, request_id: d.request_id, outcome: 'denied', reason: `${d.tier} limit per ${d.scope} used up (${d.limit} per ${d.window_seconds} s)`, details })];
        break;
      }
      case RateLimitDegraded.type: {
        const d = e.data;
        const details = { instance: d.instance, state: d.state, local_share: d.local_share };
        const reason = d.state === 'degraded' ? `instance ${d.instance} enforces only its local share (${d.local_share}) of each limit` : `instance ${d.instance} enforces shared limits again`;
        emitted = [rec('jarvis.security.rate_limit_degraded.v1', e, { ip: null, principal: null, outcome: d.state === 'degraded' ? 'detected' : 'changed', reason, details })];
        break;
      }
      case InputRejected.type: {
        const d = e.data;
        const [kind, outcome] = INPUT_KIND[d.reason];
        const details = { reason: d.reason, route: d.route, status: d.status, detail: d.detail };
        emitted = [rec(kind, e, { ip: d.ip, principal: d.principal, request_id: d.request_id, outcome, reason: d.reason, details })];
        break;
      }
      case ApiKeyCreated.type: {
        const d = e.data;
        state.keys.set(d.key_id, { valid_until_ms: msOrNull(d.expires_at), created_ms: ms(d.created_at), revoked: false });
        const details = { action: 'api_key_created', key_id: d.key_id, name: d.name, permissions: d.permissions.join(' '), expires_at: d.expires_at, rotated_from: d.rotated_from };
        emitted = [rec('jarvis.security.admin_action.v1', e, { ip: d.ip ?? null, principal: d.created_by, outcome: 'changed', reason: d.rotated_from ? 'api key issued by rotation' : 'api key created', details })];
        break;
      }
      case ApiKeyRotated.type: {
        const d = e.data;
        const k = state.keys.get(d.key_id);
        const until = ms(d.overlap_until);
        if (k) state.keys.set(d.key_id, { ...k, valid_until_ms: k.valid_until_ms === null ? until : Math.min(k.valid_until_ms, until) });
        const details = { action: 'api_key_rotated', key_id: d.key_id, successor_id: d.successor_id, overlap_until: d.overlap_until };
        emitted = [rec('jarvis.security.admin_action.v1', e, { ip: d.ip ?? null, principal: d.rotated_by, outcome: 'changed', reason: 'api key rotated', details })];
        break;
      }
      case ApiKeyRevoked.type: {
        const d = e.data;
        const k = state.keys.get(d.key_id);
        if (k) state.keys.set(d.key_id, { ...k, revoked: true });
        const details = { action: 'api_key_revoked', key_id: d.key_id, revoked_by: d.revoked_by };
        emitted = [
          rec('jarvis.security.admin_action.v1', e, { ip: d.ip ?? null, principal: d.revoked_by, outcome: 'changed', reason: 'api key revoked', details }),
          rec('jarvis.security.key_revoked.v1', e, { ip: d.ip ?? null, principal: d.key_id, outcome: 'changed', reason: d.reason ?? 'revoked', details }),
        ];
        break;
      }
      case IpBlockAdded.type: {
        const d = e.data;
        if (d.source === 'auto') return { state, emitted: NONE }; // reported when detected (ip_auto_blocked)
        const details = { action: 'ip_block_added', block_id: d.block_id, cidr: d.cidr, expires_at: d.expires_at };
        emitted = [rec('jarvis.security.admin_action.v1', e, { ip: d.ip ?? null, principal: d.created_by, outcome: 'changed', reason: d.reason ?? 'ip block added', details })];
        break;
      }
      case IpBlockRemoved.type: {
        const details = { action: 'ip_block_removed', block_id: e.data.block_id };
        emitted = [rec('jarvis.security.admin_action.v1', e, { ip: e.data.ip ?? null, principal: e.data.removed_by, outcome: 'changed', reason: 'ip block removed', details })];
        break;
      }
      case AuditRead.type: {
        const d = e.data;
        emitted = [rec('jarvis.security.audit_queried.v1', e, { ip: d.ip, principal: d.principal, request_id: d.request_id, outcome: 'granted', reason: `audit log ${d.action}`, details: { action: d.action, ...d.details } })];
        break;
      }
      case SessionRevoked.type: {
        const d = e.data;
        const details = { session_id: d.session_id, by: d.by, reason: d.reason };
        emitted = [rec('jarvis.security.session_revoked.v1', e, { ip: d.ip ?? null, principal: d.principal, outcome: 'changed', reason: d.reason, details })];
        break;
      }
      default:
        return { state, emitted: NONE };
    }
    emitted = chained(state, chainPartitionOf(e), emitted);
    const t = ms(e.time);
    if (t > state.clockMs) state.clockMs = t;
    if (state.clockMs >= state.nextSweepMs) {
      sweep(state, windowMs, latenessMs);
      state.nextSweepMs = state.clockMs + windowMs;
    }
    return { state, emitted };
  }

  return {
    name: 'security',
    topics: [AUTH_TOPIC, HTTP_TOPIC, ADMIN_TOPIC, SESSIONS_TOPIC],
    initialState: initialSecurityState,
    evolve: (state, event) => derive(state, event).state,
    derive,
    accepts: concerns,
    scan: (state, nowMs) => scanKeyExpiry(state, nowMs, { warningMs: opts.keyExpiryWarningMs, source }),
    toJSON: (state) => securityToJSON(state, windowMs, latenessMs),
    fromJSON: securityFromJSON,
  };
}
