/**
 * `jarvis audit verify`: checks the hash chains. Against the store: every chain in audit.db,
 * against its retention anchor and the published heads. Against the log as well: reads
 * jarvis.security from the beginning with a throwaway consumer group, checks the chains the
 * records carry there (gaps, second claims to a position, content that no longer matches its
 * hash, links to the wrong predecessor, published heads that are gone or differ), and compares
 * every record with its stored copy. Reports the first deleted, inserted or altered record.
 */
import { randomBytes } from 'node:crypto';
import { ChainHeadPublished, SECURITY_EVENT_KINDS, TOPICS, type DataOf, type SecurityEventData } from '../../events/index.ts';
import { decodeEnvelope } from '../eventlog/envelope.ts';
import type { EventLog, RecordBatch } from '../eventlog/types.ts';
import { chainHash, GENESIS, verifyPartition, type ChainHead, type ChainProblem } from './chain.ts';
import type { Pseudonymizer } from './hmac.ts';
import { canonicalJson, toRecord } from './record.ts';
import type { AuditStore } from './store.ts';

export interface VerifyReport {
  readonly ok: boolean;
  /** What was checked: the store's chains, or the topic's chains and the store against them too. */
  readonly scope: 'store' | 'store+log';
  readonly checked: number;
  /** Topic records found alike in the store (store+log only). */
  readonly compared?: number;
  /** Topic records with no link (published by the API itself: chained by the store only). */
  readonly unchained?: number;
  /** Links found broken while the store took them in. */
  readonly breaks_at_ingest: number;
  readonly partitions: { partition: string; records: number; head_seq: number; head_hash: string }[];
  readonly problem: (ChainProblem & { where: 'store' | 'log' }) | null;
}

/** Verifies every chain in the store. */
export function verifyStore(store: AuditStore): VerifyReport {
  const partitions: VerifyReport['partitions'] = [];
  let checked = 0;
  const breaks = store.breakCount();
  for (const part of store.partitions()) {
    const r = verifyPartition(store.chain(part), part, store.anchor(part), store.heads(part));
    checked += r.checked;
    partitions.push({ partition: part, records: r.checked, head_seq: r.last.seq, head_hash: r.last.hash });
    if (r.problem) return { ok: false, scope: 'store', checked, breaks_at_ingest: breaks, partitions, problem: { ...r.problem, where: 'store' } };
  }
  return { ok: true, scope: 'store', checked, breaks_at_ingest: breaks, partitions, problem: null };
}

/** One record of a chain as found on the topic. */
interface Seen {
  readonly id: string;
  readonly prev: string;
  readonly hash: string;
  /** Its content still matches its hash. */
  readonly intact: boolean;
  readonly where: string;
}

/** What reading the topic collected. */
interface TopicChains {
  readonly chains: Map<string, Map<number, Seen[]>>;
  readonly heads: ChainHead[];
  unchained: number;
  compared: number;
  problem: ChainProblem | null;
  storeProblem: ChainProblem | null;
}

/**
 * Checks one chain as the topic holds it. `knownId(seq)` names a record the store still has
 * at a position the topic lost. Topic retention may have removed a prefix: the walk starts at
 * the oldest position present.
 */
export function verifyTopicChain(partition: string, bySeq: ReadonlyMap<number, readonly Seen[]>, heads: readonly ChainHead[], knownId: (seq: number) => string | null = () => null): { problem: ChainProblem | null; records: number; last: { seq: number; hash: string } } {
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  const first = seqs[0] ?? 1;
  const max = seqs[seqs.length - 1] ?? 0;
  let prev = first === 1 ? GENESIS : bySeq.get(first)![0]!.prev;
  let records = 0;
  const hashAt = new Map<number, string>();
  const fail = (kind: ChainProblem['kind'], seq: number, id: string | null, detail: string) => ({ problem: { kind, partition, seq, id, detail }, records, last: { seq: seq - 1, hash: prev } });
  for (let seq = first; seq <= max; seq++) {
    const here = bySeq.get(seq);
    if (!here) {
      let next = seq + 1;
      while (!bySeq.has(next)) next++;
      const after = bySeq.get(next)![0]!;
      const gone = knownId(seq);
      return fail('deleted', seq, gone ?? after.id, `position ${seq}${next - seq > 1 ? `..${next - 1}` : ''} is missing from the topic before ${after.id} (${after.where})${gone ? `; the audit store knows it as ${gone}` : ''}`);
    }
    const distinct = [...new Map(here.map((s) => [`${s.id}:${s.hash}`, s])).values()];
    const good = distinct.filter((s) => s.intact && s.prev === prev);
    const next = bySeq.get(seq + 1) ?? [];
    const genuine = good.find((g) => next.some((n) => n.prev === g.hash)) ?? good[0];
    if (!genuine) {
      const altered = distinct.find((s) => !s.intact);
      if (altered) return fail('altered', seq, altered.id, `its content no longer matches its hash (${altered.where})`);
      return fail('inserted', seq, distinct[0]!.id, `it does not link to the record before it (${distinct[0]!.where})`);
    }
    const other = distinct.find((s) => s !== genuine);
    if (other) return fail('inserted', seq, other.id, `a second record claims position ${seq}, held by ${genuine.id} (${other.where})`);
    hashAt.set(seq, genuine.hash);
    prev = genuine.hash;
    records++;
  }
  for (const h of [...heads].sort((a, b) => a.seq - b.seq)) {
    if (h.seq < first) continue; // before what the topic still keeps
    if (h.seq > max) return fail('deleted', max + 1, knownId(max + 1), `the published head at position ${h.seq} is gone: records after ${max} were removed`);
    if (hashAt.get(h.seq) !== h.hash) return fail('altered', h.seq, bySeq.get(h.seq)?.[0]?.id ?? null, 'the chain was rewritten: a published head does not match');
  }
  return { problem: null, records, last: { seq: max, hash: prev } };
}

/** Verifies the chains on `topic`, then the store's, and compares the store with the topic. */
export async function verifyAgainstLog(store: AuditStore, log: EventLog, topic: string, pseudo: Pseudonymizer, opts: { quietMs?: number; timeoutMs?: number; groupPrefix?: string; nowMs?: number } = {}): Promise<VerifyReport> {
  // The topic first: it is what the issue of a forged or missing record is about; then the store's copy.
  const t = await readTopic(store, log, topic, pseudo, opts);
  const own = verifyStore(store);
  const report = (problem: VerifyReport['problem'], partitions: VerifyReport['partitions']): VerifyReport => ({
    ok: problem === null, scope: 'store+log', checked: partitions.reduce((n, p) => n + p.records, 0), compared: t.compared, unchained: t.unchained, breaks_at_ingest: own.breaks_at_ingest, partitions, problem,
  });
  if (t.problem) return report({ ...t.problem, where: 'log' }, own.partitions);
  const partitions: VerifyReport['partitions'] = [];
  const names = [...new Set([...t.chains.keys(), ...t.heads.map((h) => h.partition)])].sort();
  const retentionMs = TOPICS['jarvis.security'].retentionMs;
  const horizon = retentionMs < 0 ? -Infinity : (opts.nowMs ?? Date.now()) - retentionMs;
  const idAt = store.db.prepare('SELECT id, time_ms FROM audit_events WHERE chain = ? AND seq = ?');
  for (const name of names) {
    const knownId = (seq: number) => (idAt.get(name, seq) as { id: string } | undefined)?.id ?? null;
    const bySeq = t.chains.get(name) ?? new Map<number, Seen[]>();
    // A chain whose oldest records are gone although the store holds them within the topic's retention: deleted.
    const first = Math.min(...bySeq.keys());
    const before = Number.isFinite(first) && first > 1 ? (idAt.get(name, first - 1) as { id: string; time_ms: number } | undefined) : undefined;
    if (before && before.time_ms > horizon) return report({ kind: 'deleted', partition: name, seq: first - 1, id: before.id, detail: 'the record is in the audit store but gone from the topic, within the topic retention', where: 'log' }, partitions);
    const r = verifyTopicChain(name, bySeq, t.heads.filter((h) => h.partition === name), knownId);
    partitions.push({ partition: name, records: r.records, head_seq: r.last.seq, head_hash: r.last.hash });
    if (r.problem) return report({ ...r.problem, where: 'log' }, partitions);
  }
  if (!own.ok) return { ...own, scope: 'store+log', compared: t.compared, unchained: t.unchained };
  if (t.storeProblem) return report({ ...t.storeProblem, where: 'store' }, partitions);
  return report(null, partitions);
}

/** Reads the whole topic once: collects the chains and heads, and compares each record with the store. */
async function readTopic(store: AuditStore, log: EventLog, topic: string, pseudo: Pseudonymizer, opts: { quietMs?: number; timeoutMs?: number; groupPrefix?: string }): Promise<TopicChains> {
  const out: TopicChains = { chains: new Map(), heads: [], unchained: 0, compared: 0, problem: null, storeProblem: null };
  const tips = new Map(store.tips().map((h) => [h.partition, h.seq]));
  let lastBatch = Date.now();
  const onBatch = async (batch: RecordBatch) => {
    lastBatch = Date.now();
    for (const r of batch.records) {
      const where = `topic partition ${batch.partition}, offset ${r.offset}`;
      let env;
      try {
        env = decodeEnvelope(r.value);
      } catch {
        // Not even a valid event any more: name it by the id it still shows, if any.
        const id = /"id"\s*:\s*"([^"]{1,128})"/.exec(r.value.toString('utf8'))?.[1] ?? null;
        out.problem ??= { kind: 'altered', partition: `jarvis.security/${batch.partition}`, seq: 0, id, detail: `the record at ${where} is no longer a valid event` };
        continue;
      }
      if (env.type === ChainHeadPublished.type) {
        out.heads.push(...(env.data as DataOf<typeof ChainHeadPublished>).heads);
        continue;
      }
      if (!Object.hasOwn(SECURITY_EVENT_KINDS, env.type)) continue;
      const raw = toRecord(env);
      const link = (env.data as SecurityEventData).chain;
      const stored = store.byId(env.id);
      if (!link) out.unchained++;
      else {
        let chain = out.chains.get(link.partition);
        if (!chain) out.chains.set(link.partition, (chain = new Map()));
        const seen: Seen = { id: env.id, prev: link.prev, hash: link.hash, intact: chainHash(link, raw) === link.hash, where };
        chain.set(link.seq, [...(chain.get(link.seq) ?? []), seen]);
        if (!stored && (tips.get(link.partition) ?? 0) > link.seq && !store.anchor(link.partition)) {
          out.storeProblem ??= { kind: 'deleted', partition: link.partition, seq: link.seq, id: env.id, detail: 'the record is on the topic but gone from the audit store' };
        }
      }
      if (!stored) continue; // not projected yet, or pruned by the store's retention
      const { chain: storedLink, ...storedData } = stored.data;
      const same = canonicalJson({ ...stored, data: storedData }) === canonicalJson(pseudo.record(raw)) && (!link || canonicalJson(storedLink) === canonicalJson(link));
      if (same) out.compared++;
      else out.storeProblem ??= { kind: 'altered', partition: storedLink.partition, seq: storedLink.seq, id: env.id, detail: `the stored record differs from the topic's (${where})` };
    }
  };
  const sub = await log.subscribe({ groupId: `${opts.groupPrefix ?? 'jarvis.audit'}.verify.${randomBytes(6).toString('hex')}`, topics: [topic], fromBeginning: true, onBatch });
  const quietMs = opts.quietMs ?? (log.kind === 'kafka' ? 3000 : 1000);
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  while (Date.now() - lastBatch < quietMs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await sub.stop();
  return out;
}
