import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chainHash, GENESIS, verifyPartition, type ChainRow } from '../../src/audit/chain.ts';
import { toRecord, type AuditRecord } from '../../src/audit/record.ts';
import { applied } from '../support/audit-records.ts';

const P = 'jarvis.auth/0';

function chainOf(n: number): ChainRow[] {
  const rows: ChainRow[] = [];
  let prev = GENESIS;
  for (let i = 0; i < n; i++) {
    const record = toRecord(applied({ timeMs: Date.UTC(2026, 0, 1, 0, 0, i) }).envelope);
    const hash = chainHash({ partition: P, seq: i + 1, prev }, record);
    rows.push({ link: { partition: P, seq: i + 1, prev, hash }, record });
    prev = hash;
  }
  return rows;
}

const alter = (r: ChainRow, f: (rec: AuditRecord) => AuditRecord): ChainRow => ({ ...r, record: f(r.record) });

describe('the hash chain', () => {
  test('an untouched chain verifies, and reports its head', () => {
    const rows = chainOf(5);
    const r = verifyPartition(rows, P);
    assert.equal(r.problem, null);
    assert.equal(r.checked, 5);
    assert.deepEqual(r.last, { seq: 5, hash: rows[4]!.link.hash });
  });

  test('an altered record is reported as altered at its position', () => {
    const rows = chainOf(5);
    rows[2] = alter(rows[2]!, (rec) => ({ ...rec, data: { ...rec.data, ip: '198.51.100.1' } }));
    assert.deepEqual({ ...verifyPartition(rows, P).problem!, detail: undefined }, { kind: 'altered', partition: P, seq: 3, id: rows[2]!.record.id, detail: undefined });
  });

  test('a deleted record is reported as deleted, naming the gap', () => {
    const rows = chainOf(5);
    const gone = rows.splice(1, 1);
    const p = verifyPartition(rows, P).problem!;
    assert.equal(p.kind, 'deleted');
    assert.equal(p.seq, 2);
    assert.notEqual(p.id, gone[0]!.record.id);
  });

  test('an inserted record is reported as inserted, whether it reuses a position or forges a link', () => {
    const rows = chainOf(4);
    const forged = chainOf(1)[0]!;
    const reuse = [...rows.slice(0, 2), { ...forged, link: { ...forged.link, seq: 2 } }, ...rows.slice(2)];
    assert.equal(verifyPartition(reuse, P).problem!.kind, 'inserted');
    // A forged record with a consistent hash but the wrong predecessor, renumbering what follows.
    const fake = { ...forged, link: { partition: P, seq: 3, prev: GENESIS, hash: chainHash({ partition: P, seq: 3, prev: GENESIS }, forged.record) } };
    const renumbered = [...rows.slice(0, 2), fake, ...rows.slice(2).map((r) => ({ ...r, link: { ...r.link, seq: r.link.seq + 1 } }))];
    assert.deepEqual([verifyPartition(renumbered, P).problem!.kind, verifyPartition(renumbered, P).problem!.seq], ['inserted', 3]);
  });

  test('a chain rewritten from some point on is caught by a published head', () => {
    const rows = chainOf(4);
    const heads = [{ partition: P, seq: 3, hash: rows[2]!.link.hash }];
    // Rewrite: alter record 2 and recompute every hash after it.
    const rewritten: ChainRow[] = [rows[0]!];
    let prev = rows[0]!.link.hash;
    for (const r of rows.slice(1)) {
      const record = r.link.seq === 2 ? { ...r.record, data: { ...r.record.data, reason: 'nothing happened' } } : r.record;
      const hash = chainHash({ partition: P, seq: r.link.seq, prev }, record);
      rewritten.push({ ...r, record, link: { partition: P, seq: r.link.seq, prev, hash } });
      prev = hash;
    }
    assert.equal(verifyPartition(rewritten, P).problem, null, 'without heads the rewrite is consistent');
    const p = verifyPartition(rewritten, P, undefined, heads).problem!;
    assert.deepEqual([p.kind, p.seq], ['altered', 3]);
  });

  test('verification starts after the anchor retention left, and ignores heads before it', () => {
    const rows = chainOf(5);
    const anchor = { seq: 2, hash: rows[1]!.link.hash };
    assert.equal(verifyPartition(rows.slice(2), P, anchor, [{ partition: P, seq: 1, hash: 'x'.repeat(64) }]).problem, null);
    assert.equal(verifyPartition(rows.slice(3), P, anchor).problem!.kind, 'deleted');
  });
});
