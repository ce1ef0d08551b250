/**
 * `jarvis audit verify`: checks the stored hash chains (every partition, against the anchors left
 * by retention and the published heads), then — when given the event log — reads the topic from
 * the beginning with a throwaway consumer group and compares it record by record with the store,
 * reporting the first record deleted from, inserted into or altered in either of them.
 */
import { randomBytes } from 'node:crypto';
import { decodeEnvelope } from '../eventlog/envelope.ts';
import type { EventLog, RecordBatch } from '../eventlog/types.ts';
import { verifyPartition, type ChainProblem, type ChainRow } from './chain.ts';
import type { Pseudonymizer } from './hmac.ts';
import { canonicalJson, toRecord } from './record.ts';
import type { AuditStore } from './store.ts';

export interface VerifyReport {
  readonly ok: boolean;
  /** What was compared: the store's own chains, or the store against the topic as well. */
  readonly scope: 'store' | 'store+log';
  readonly checked: number;
  /** Records found alike in the topic and the store (store+log only). */
  readonly compared?: number;
  readonly partitions: { partition: number; records: number; head_seq: number; head_hash: string }[];
  readonly problem: (ChainProblem & { where: 'store' | 'log' }) | null;
}

/** Verifies every partition's chain in the store. */
export function verifyStore(store: AuditStore): VerifyReport {
  const partitions: VerifyReport['partitions'] = [];
  let checked = 0;
  for (const part of store.partitions()) {
    const r = verifyPartition(store.chain(part), part, store.anchor(part), store.heads(part));
    checked += r.checked;
    partitions.push({ partition: part, records: r.checked, head_seq: r.last.seq, head_hash: r.last.hash });
    if (r.problem) return { ok: false, scope: 'store', checked, partitions, problem: { ...r.problem, where: 'store' } };
  }
  return { ok: true, scope: 'store', checked, partitions, problem: null };
}

interface Walk {
  readonly rows: Iterator<ChainRow>;
  peek: ChainRow | undefined;
  aligned: boolean;
  readonly seen: Set<string>;
}

/** Verifies the store, then compares it with `topic` as the log holds it. */
export async function verifyAgainstLog(store: AuditStore, log: EventLog, topic: string, pseudo: Pseudonymizer, opts: { quietMs?: number; timeoutMs?: number; groupPrefix?: string } = {}): Promise<VerifyReport> {
  const own = verifyStore(store);
  if (!own.ok) return own;
  return compare(store, own, log, topic, pseudo, opts);
}

/**
 * A partition's stored rows read a page at a time: an open better-sqlite3 iterator would hold
 * the connection busy across the awaits of the comparison. (Two rows claiming one position
 * across a page boundary would be missed here; verifyStore, which runs first, reports them.)
 */
function pagedRows(store: AuditStore, part: number): Iterator<ChainRow> {
  let buf: ChainRow[] = [];
  let after = 0;
  let done = false;
  return {
    next() {
      if (buf.length === 0 && !done) {
        buf = store.chainPage(part, after, 1000);
        if (buf.length === 0) done = true;
        else after = buf[buf.length - 1]!.link.seq;
      }
      const row = buf.shift();
      return row ? { value: row, done: false } : { value: undefined, done: true };
    },
  };
}

async function compare(store: AuditStore, own: VerifyReport, log: EventLog, topic: string, pseudo: Pseudonymizer, opts: { quietMs?: number; timeoutMs?: number; groupPrefix?: string }): Promise<VerifyReport> {
  const walks = new Map<number, Walk>();
  const walk = (p: number): Walk => {
    let w = walks.get(p);
    if (!w) {
      const rows = pagedRows(store, p);
      w = { rows, peek: rows.next().value ?? undefined, aligned: false, seen: new Set() };
      walks.set(p, w);
    }
    return w;
  };
  const advance = (w: Walk) => (w.peek = w.rows.next().value ?? undefined);
  const locate = store.db.prepare('SELECT part, seq FROM audit_events WHERE id = ?');
  let problem: ChainProblem | null = null;
  let compared = 0;
  let lastBatch = Date.now();
  const fail = (p: ChainProblem) => (problem ??= p);

  const onBatch = async (batch: RecordBatch) => {
    lastBatch = Date.now();
    if (problem) return;
    const w = walk(batch.partition);
    for (const r of batch.records) {
      if (problem) return;
      let rec;
      try {
        rec = pseudo.record(toRecord(decodeEnvelope(r.value)));
      } catch {
        fail({ kind: 'altered', partition: batch.partition, seq: w.peek?.link.seq ?? 0, id: w.peek?.record.id ?? null, detail: `log record at offset ${r.offset} is no longer a valid security event` });
        return;
      }
      if (w.seen.has(rec.id)) continue; // delivered twice: the store kept one
      w.seen.add(rec.id);
      const expected = w.peek;
      if (!expected) continue; // newer than the store: not projected yet
      if (rec.id === expected.record.id) {
        if (canonicalJson(rec) !== canonicalJson(expected.record)) {
          fail({ kind: 'altered', partition: batch.partition, seq: expected.link.seq, id: rec.id, detail: `log record at offset ${r.offset} differs from the stored record` });
          return;
        }
        w.aligned = true;
        compared++;
        advance(w);
        continue;
      }
      const at = locate.get(rec.id) as { part: number; seq: number } | undefined;
      if (at && at.part === batch.partition && at.seq > expected.link.seq) {
        if (w.aligned) {
          fail({ kind: 'deleted', partition: batch.partition, seq: expected.link.seq, id: expected.record.id, detail: `stored records ${expected.link.seq}..${at.seq - 1} are missing from the topic before offset ${r.offset}` });
          return;
        }
        // The topic's own retention removed its oldest records: start comparing here.
        while (w.peek && w.peek.link.seq < at.seq) advance(w);
        if (w.peek?.record.id === rec.id) {
          if (canonicalJson(rec) !== canonicalJson(w.peek.record)) {
            fail({ kind: 'altered', partition: batch.partition, seq: w.peek.link.seq, id: rec.id, detail: `log record at offset ${r.offset} differs from the stored record` });
            return;
          }
          w.aligned = true;
          compared++;
          advance(w);
        }
        continue;
      }
      if (!at && !w.aligned && store.anchor(batch.partition) && Date.parse(rec.time) <= Date.parse(expected.record.time)) continue; // pruned from the store by retention
      fail({ kind: 'inserted', partition: batch.partition, seq: expected.link.seq, id: rec.id, detail: `log record at offset ${r.offset} (${rec.id}) is not in the stored chain at this position` });
      return;
    }
  };

  const sub = await log.subscribe({ groupId: `${opts.groupPrefix ?? 'jarvis.audit'}.verify.${randomBytes(6).toString('hex')}`, topics: [topic], fromBeginning: true, onBatch });
  const quietMs = opts.quietMs ?? (log.kind === 'kafka' ? 3000 : 1000);
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  while (!problem && Date.now() - lastBatch < quietMs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await sub.stop();
  if (!problem) {
    for (const part of store.partitions()) {
      const w = walk(part);
      if (w.peek) {
        fail({ kind: 'deleted', partition: part, seq: w.peek.link.seq, id: w.peek.record.id, detail: 'a stored record is missing from the topic (deleted, or expired by the topic retention)' });
        break;
      }
    }
  }
  const found = problem as ChainProblem | null;
  return { ok: found === null, scope: 'store+log', checked: own.checked, compared, partitions: own.partitions, problem: found ? { ...found, where: 'log' } : null };
}
