/**
 * The tamper-evidence hash chain carried on jarvis.security (`data.chain`): the one definition
 * of the hash, and the chain partition a security record belongs to. The projector attaches the
 * links; the audit read model and `jarvis audit verify` check them (src/audit/chain.ts
 * re-exports this, so imports run audit → projections, never back).
 *
 * A chain partition is the INPUT partition the record was derived from (`jarvis.auth/3`), not
 * the jarvis.security partition it lands on: one input partition is read in offset order by
 * exactly one consumer, so its records — and their links — are a pure function of that
 * partition's prefix. A restart, a rebuild from the log, or a second projector (its own
 * consumer group) computes byte-identical links, where a chain per output partition would
 * depend on how the input partitions happened to interleave, and fork.
 */
import { createHash } from 'node:crypto';
import { CATALOG, TOPICS, type Envelope, type SecurityEventData } from '../../../events/index.ts';
import { partitionFor } from '../../eventlog/partition.ts';

/** The `prev` of a chain's first record. */
export const GENESIS = '0'.repeat(64);

/** A link: position `seq` (from 1) in chain `partition`, the previous link's hash, its own hash. */
export interface ChainLink {
  readonly partition: string;
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
}

/** What a chain hash covers: the CloudEvents-shaped record without its link. */
export interface ChainedRecord {
  readonly id: string;
  readonly type: string;
  readonly time: string;
  readonly source: string;
  readonly subject: string | null;
  readonly data: SecurityEventData;
}

/** JSON with object keys sorted at every level: the bytes a chain hash covers. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** The record form of an envelope (time normalized, subject null when absent, no chain link). */
export function recordOf(env: Envelope): ChainedRecord {
  const data = { ...(env.data as SecurityEventData) };
  delete (data as { chain?: unknown }).chain;
  return { id: env.id, type: env.type, time: new Date(Date.parse(env.time)).toISOString(), source: env.source, subject: env.subject ?? null, data };
}

/**
 * The hash of `record` at (`partition`, `seq`) after `prev`. Pure. `source` is left out: it
 * names the instance that published the record, and two projectors publishing the same
 * derived record must not disagree about its hash.
 */
export function chainHash(link: { partition: string; seq: number; prev: string }, record: ChainedRecord): string {
  const { source: _source, ...covered } = record;
  return createHash('sha256').update(`${link.partition}\n${link.seq}\n${link.prev}\n`).update(canonicalJson(covered)).digest('hex');
}

/** The link of `record` placed after `tip` (null: the chain's first record). Pure. */
export function linkAfter(partition: string, tip: { seq: number; hash: string } | null, record: ChainedRecord): ChainLink {
  const seq = (tip?.seq ?? 0) + 1;
  const prev = tip?.hash ?? GENESIS;
  return { partition, seq, prev, hash: chainHash({ partition, seq, prev }, record) };
}

/**
 * The partition key its publisher gives a raw event (events/index.ts TOPICS: client IP,
 * session id, key or block id; the degraded-limiter notice is keyed by its instance).
 */
function keyOf(env: Envelope): string {
  const d = env.data as Record<string, unknown>;
  for (const f of ['ip', 'session_id', 'key_id', 'block_id', 'instance']) if (typeof d[f] === 'string') return d[f];
  return env.subject ?? env.id;
}

/**
 * The chain partition of what `cause` produces: `<topic>/<partition>` with the catalog's
 * partition count and the log's own partitioner. (A topic created with more partitions than
 * the catalog says still gets one chain per bucket; only the identity across rebuilds could
 * then suffer, never the chain's validity.)
 */
export function chainPartitionOf(cause: Envelope): string {
  const topic = CATALOG.get(cause.type)?.topic ?? 'unknown';
  const partitions = (TOPICS as Record<string, { partitions: number }>)[topic]?.partitions ?? 1;
  return `${topic}/${partitionFor(keyOf(cause), partitions)}`;
}
