/** An audit record: the CloudEvents-shaped security event as the audit log stores and serves it. */
import { canonicalJson, recordOf, type ChainedRecord, type ChainLink } from '../projections/security/chain.ts';
import type { Envelope } from '../../events/index.ts';

export { canonicalJson, type ChainLink };

/** `{id, type, time, source, subject, data}`; served with `data.chain`, its link in its chain partition. */
export type AuditRecord = ChainedRecord;

/** The stored shape of a log envelope (without its chain link). */
export function toRecord(env: Envelope): AuditRecord {
  return recordOf(env);
}
