/**
 * Tamper evidence: per partition of jarvis.security, each stored record's hash covers its
 * canonical content and the previous record's hash (`seq` counts from 1, the first `prev` is 64
 * zeros). Deleting, inserting or altering a record breaks the chain at that point; rewriting the
 * whole chain after it is caught by the chain heads written out periodically (audit-heads.jsonl).
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type AuditRecord, type ChainLink } from './record.ts';

export const GENESIS = '0'.repeat(64);

/** The hash of `record` linked after `prev`. Pure. */
export function chainHash(prev: string, record: AuditRecord): string {
  return createHash('sha256').update(prev).update('\n').update(canonicalJson(record)).digest('hex');
}

/** A stored row as the verifier reads it. */
export interface ChainRow {
  readonly partition: number;
  readonly link: ChainLink;
  readonly record: AuditRecord;
}

export type ProblemKind = 'altered' | 'deleted' | 'inserted';

/** The first thing wrong with a chain. */
export interface ChainProblem {
  readonly kind: ProblemKind;
  readonly partition: number;
  readonly seq: number;
  /** The record at the problem (for `deleted`, the first record after the gap), when there is one. */
  readonly id: string | null;
  readonly detail: string;
}

/** Where a partition's verification starts: after the pruned prefix, or at the genesis. */
export interface ChainAnchor {
  readonly seq: number;
  readonly hash: string;
}

/** A published head: the partition's newest link at some moment. */
export interface ChainHead {
  readonly partition: number;
  readonly seq: number;
  readonly hash: string;
}

/**
 * Walks one partition's rows in `seq` order and returns the first problem, or null.
 * `heads` are checked against the walked rows (seq at or below the anchor: pruned, skipped).
 */
export function verifyPartition(rows: Iterable<ChainRow>, partition: number, anchor: ChainAnchor = { seq: 0, hash: GENESIS }, heads: readonly ChainHead[] = []): { problem: ChainProblem | null; checked: number; last: ChainAnchor } {
  let expectSeq = anchor.seq + 1;
  let prev = anchor.hash;
  let checked = 0;
  const wanted = new Map(heads.filter((h) => h.seq > anchor.seq).map((h) => [h.seq, h.hash]));
  const fail = (kind: ProblemKind, seq: number, id: string | null, detail: string) => ({ problem: { kind, partition, seq, id, detail }, checked, last: { seq: expectSeq - 1, hash: prev } });
  for (const row of rows) {
    const { link, record } = row;
    if (link.seq > expectSeq) return fail('deleted', expectSeq, record.id, `records ${expectSeq}..${link.seq - 1} are missing before ${record.id}`);
    if (link.seq < expectSeq) return fail('inserted', link.seq, record.id, `a second record claims position ${link.seq}`);
    if (chainHash(link.prev, record) !== link.hash) return fail('altered', link.seq, record.id, 'its content no longer matches its hash');
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
