/**
 * Brute-force detection: more than `threshold` failed authentications from one IP within
 * `windowMs` → brute_force_suspected, ip_auto_blocked, and an IpBlockAdded command (source
 * 'auto', expiring after `blockMs`). While its block lasts an IP is not counted again; after it,
 * counting starts afresh. Only that IP's own events (one partition, in order) decide.
 * Only failures that look like guessing count: a missing credential, or a token or session
 * that merely ran out, is a confused client, not an attack (each is still audited as auth_failed).
 */
import type { AuthDecisionRecorded } from '../../../events/index.ts';
import type { EventOf } from '../events.ts';
import type { DerivedEvent } from '../types.ts';
import { autoBlockCommand, securityRecord } from './records.ts';
import type { SecurityState } from './state.ts';

/** The authentication failures that count toward brute force. */
export const GUESSING_REASONS: ReadonlySet<string> = new Set(['unknown_key', 'malformed_credential', 'invalid_token', 'revoked_key']);

export interface BruteForceOptions {
  readonly threshold: number;
  readonly windowMs: number;
  readonly blockMs: number;
  readonly source: string;
}

/** Counts one failed authentication at `t`; returns what to emit when it crosses the threshold. */
export function countFailure(state: SecurityState, e: EventOf<typeof AuthDecisionRecorded>, t: number, o: BruteForceOptions): DerivedEvent[] {
  const ip = e.data.ip;
  if (!GUESSING_REASONS.has(e.data.reason)) return [];
  if ((state.blockedUntil.get(ip) ?? -Infinity) > t) return [];
  const times = state.failures.get(ip) ?? [];
  const recent = times.filter((x) => x > t - o.windowMs && x <= t);
  recent.push(t);
  // Only the newest threshold+1 times can ever matter.
  if (recent.length > o.threshold + 1) recent.splice(0, recent.length - o.threshold - 1);
  if (recent.length <= o.threshold) {
    state.failures.set(ip, recent);
    return [];
  }
  state.failures.delete(ip);
  const until = t + o.blockMs;
  state.blockedUntil.set(ip, until);
  const reason = `${recent.length} failed authentications within ${Math.round(o.windowMs / 1000)} s`;
  const command = autoBlockCommand(o.source, e, { cidr: ip, expires_at: new Date(until).toISOString(), reason: `brute force: ${reason}`, created_at: e.time });
  const blockId = (command.envelope.data as { block_id: string }).block_id;
  const details = { failures: recent.length, window_seconds: Math.round(o.windowMs / 1000), block_id: blockId, blocked_until: new Date(until).toISOString() };
  const base = { ip, principal: null, request_id: e.data.request_id } as const;
  return [
    securityRecord(o.source, 'jarvis.security.brute_force_suspected.v1', e, { ...base, outcome: 'detected', reason, details }),
    securityRecord(o.source, 'jarvis.security.ip_auto_blocked.v1', e, { ...base, outcome: 'blocked', reason: `blocked for ${Math.round(o.blockMs / 1000)} s after ${reason}`, details }),
    command,
  ];
}
