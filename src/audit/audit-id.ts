/**
 * The Audit-Id a response carries: the id of the security record the request caused. Records
 * are derived with ids computed from (causing event id, kind) — see
 * src/projections/security/ids.ts — so the HTTP layer can compute the id from the event it
 * published, before the projector has even seen it. A client quotes it; an analyst finds the
 * record with `GET /admin/audit?id=<Audit-Id>` or `jarvis audit query --id <Audit-Id>`.
 */
import { SECURITY_TOPIC, type Envelope, type SecurityEventType } from '../../events/index.ts';
import { derivedId } from '../projections/security/ids.ts';
import { securityDerivation } from '../projections/security/index.ts';

/** The id of the `kind` security record derived from the raw event `causingEventId`. Pure. */
export function auditIdFor(causingEventId: string, kind: SecurityEventType): string {
  return derivedId(causingEventId, kind);
}

// The derivation itself decides which record a raw event causes, so this can never drift from
// it; a fresh state per call (and thresholds out of reach) keeps it pure and cheap (µs).
const derivation = securityDerivation({ bruteForceThreshold: Number.MAX_SAFE_INTEGER, bruteForceWindowMs: 1, bruteForceBlockMs: 1, keyExpiryWarningMs: 0 });

/**
 * The Audit-Id for a raw event the HTTP layer just published (an AuthDecisionRecorded that
 * denied, a RateLimitExceeded, an InputRejected…), or null when it causes no security record.
 */
export function auditIdOf(raw: Envelope): string | null {
  const { emitted } = derivation.derive(derivation.initialState(), raw);
  return emitted.find((e) => e.topic === SECURITY_TOPIC)?.envelope.id ?? null;
}
