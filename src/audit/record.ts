/** An audit record: the CloudEvents-shaped security event as the audit log stores and serves it. */
import type { Envelope, SecurityEventData } from '../../events/index.ts';

export interface ChainLink {
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
}

/** `{id, type, time, source, subject, data}`; `data.chain` links it into its partition's hash chain. */
export interface AuditRecord {
  readonly id: string;
  readonly type: string;
  readonly time: string;
  readonly source: string;
  readonly subject: string | null;
  readonly data: SecurityEventData;
}

/** The stored shape of a log envelope (without its chain link). */
export function toRecord(env: Envelope): AuditRecord {
  const data = { ...(env.data as SecurityEventData) };
  delete (data as { chain?: unknown }).chain;
  return { id: env.id, type: env.type, time: new Date(Date.parse(env.time)).toISOString(), source: env.source, subject: env.subject ?? null, data };
}

/** JSON with object keys sorted at every level: the bytes a chain hash covers. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}
