/**
 * Key expiry is time-driven, not event-driven: the projector's timer calls `scanKeyExpiry`.
 * Records carry the deadline as their time and an id derived from (key, deadline, kind), so
 * scanning again — every tick, after a restart, on another projector — emits the same records
 * and consumers keep one of each. A rotation moves the deadline and earns a new warning.
 */
import type { DerivedEvent } from '../types.ts';
import { linkAfter, recordOf } from './chain.ts';
import { securityRecord } from './records.ts';
import type { SecurityState } from './state.ts';

export interface ExpiryOptions {
  readonly warningMs: number;
  /** Expiries older than this are not reported again (default: the warning period). */
  readonly lookbackMs?: number;
  readonly source: string;
}

/**
 * A time-driven record has no input partition to be chained in: it is its own one-record chain
 * `key-expiry/<record id>`, so every scan (and every projector) links it identically; the chain
 * heads the projector publishes make its later deletion visible.
 */
function alone(d: DerivedEvent): DerivedEvent {
  const chain = linkAfter(`key-expiry/${d.envelope.id}`, null, recordOf(d.envelope));
  return { ...d, envelope: { ...d.envelope, data: { ...(d.envelope.data as object), chain } } };
}

/** key_expiring for keys within the warning period, key_expired for keys past their end. Pure. */
export function scanKeyExpiry(state: SecurityState, nowMs: number, opts: ExpiryOptions): DerivedEvent[] {
  const lookback = opts.lookbackMs ?? opts.warningMs;
  const out: DerivedEvent[] = [];
  for (const [keyId, k] of [...state.keys].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const end = k.valid_until_ms;
    if (k.revoked || end === null) continue;
    const details = { key_id: keyId, expires_at: new Date(end).toISOString() };
    if (nowMs >= end) {
      if (nowMs - end > lookback) continue;
      const cause = { id: `key:${keyId}@${end}`, time: new Date(end).toISOString() };
      out.push(alone(securityRecord(opts.source, 'jarvis.security.key_expired.v1', cause, { ip: null, principal: keyId, outcome: 'detected', reason: 'key reached its expiry', details })));
    } else if (nowMs >= end - opts.warningMs) {
      const warnMs = Math.max(k.created_ms, end - opts.warningMs);
      const cause = { id: `key:${keyId}@${end}`, time: new Date(warnMs).toISOString() };
      // Counted from the record's own time, not the scan's: every scan then emits the very same record (and hash).
      const hours = Math.round((end - warnMs) / 3_600_000);
      out.push(alone(securityRecord(opts.source, 'jarvis.security.key_expiring.v1', cause, { ip: null, principal: keyId, outcome: 'detected', reason: `key expires in about ${hours} h`, details })));
    }
  }
  return out;
}
