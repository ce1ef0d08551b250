/**
 * The Audit-Id a response carries: the id of the security record the request caused. Records
 * are derived with ids computed from (causing event id, kind) — see
 * src/projections/security/ids.ts — so the HTTP layer can compute the id from the event it
 * published, before the projector has even seen it. A client quotes it; an analyst finds the
 * record with `GET /admin/audit?id=<Audit-Id>` or `jarvis audit query --id <Audit-Id>`.
 */
import type { SecurityEventType } from '../../events/index.ts';
import { derivedId } from '../projections/security/ids.ts';

/** The id of the `kind` security record derived from the raw event `causingEventId`. Pure. */
export function auditIdFor(causingEventId: string, kind: SecurityEventType): string {
  return derivedId(causingEventId, kind);
}

