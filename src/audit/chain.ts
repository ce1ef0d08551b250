/**
 * Tamper evidence, as the audit checks it. The projector links every security record into a
 * chain (`data.chain`: partition, seq from 1, prev, hash; the hash is defined once, in
 * src/projections/security/chain.ts) and publishes the chain heads on the topic. Deleting,
 * inserting or altering a record breaks its chain at that point; cutting a chain short or
 * rewriting it from some point on is caught by a head published before.
 */
import { chainHash, GENESIS } from '../projections/security/chain.ts';
import type { AuditRecord, ChainLink } from './record.ts';

export { chainHash, GENESIS };

/** A record with its link, as the verifier reads it. */
export interface ChainRow {
  readonly link: ChainLink;
  readonly record: AuditRecord;
  /** False when the content cannot be re-hashed here (a pseudonymized copy): only the links are checked. */
  readonly exact?: boolean;
}

export type ProblemKind = 'altered' | 'deleted' | 'inserted';

/** The first thing wrong with a chain. */
export interface ChainProblem {
  readonly kind: ProblemKind;
  /** The chain partition (`jarvis.auth/3`). */
  readonly partition: string;
  readonly seq: number;
  /** The record at the problem (for `deleted`, the first record after the gap), when there is one. */
  readonly id: string | null;
  readonly detail: string;
}

/** Where a chain's verification starts: after the pruned prefix, or at the genesis. */
export interface ChainAnchor {
  readonly seq: number;
  readonly hash: string;
}

/** A published head: the chain's newest link at some moment. */
export interface ChainHead {
  readonly partition: string;
  readonly seq: number;
  readonly hash: string;
}

export interface PartitionResult {
  readonly problem: ChainProblem | null;
  readonly checked: number;
  readonly last: ChainAnchor;
}

/**
 * Walks one chain's rows in `seq` order (several rows may claim one position) and returns the
 * first problem, or null. `heads` are checked against the walked rows; those at or below the
 * anchor were pruned and are skipped.
 */
export function verifyPartition(rows: Iterable<ChainRow>, partition: string, anchor: ChainAnchor = { seq: 0, hash: GENESIS }, heads: readonly ChainHead[] = []): PartitionResult {
  let expectSeq = anchor.seq + 1;
  let prev = anchor.hash;
  let checked = 0;
  const wanted = new Map(heads.filter((h) => h.seq > anchor.seq).map((h) => [h.seq, h.hash]));
  const fail = (kind: ProblemKind, seq: number, id: string | null, detail: string): PartitionResult => ({ problem: { kind, partition, seq, id, detail }, checked, last: { seq: expectSeq - 1, hash: prev } });
  for (const { link, record, exact } of rows) {
    if (link.seq > expectSeq) return fail('deleted', expectSeq, record.id, `records ${expectSeq}..${link.seq - 1} are missing before ${record.id}`);
    if (link.seq < expectSeq) return fail('inserted', link.seq, record.id, `a second record claims position ${link.seq}`);
    if (link.partition !== partition) return fail('inserted', link.seq, record.id, `it claims to belong to chain ${link.partition}`);
    if (exact !== false && chainHash(link, record) !== link.hash) return fail('altered', link.seq, record.id, 'its content no longer matches its hash');
    if (link.prev !== prev) return fail('inserted', link.seq, record.id, 'it does not link to the record before it');
    const head = wanted.get(link.seq);
    if (head !== undefined && head !== link.hash) return fail('altered', link.seq, record.id, 'the chain was rewritten: a published head does not match');
    wanted.delete(link.seq);
    prev = link.hash;
    expectSeq++;
    checked++;
  }
  const missing = [...wanted.keys()].sort((a, b) => a - b)[0];
  if (missing !== undefined) return fail('deleted', missing, null, `the published head at position ${missing} is gone`);
  return { problem: null, checked, last: { seq: expectSeq - 1, hash: prev } };
}
