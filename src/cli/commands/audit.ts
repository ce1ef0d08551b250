/** `jarvis audit query|export|stats|hmac|verify` (tail is in audit-tail.ts). */
import { z } from 'zod';
import { FILTER_HELP, FILTER_OPTIONS, filterQuery } from './audit-filters.ts';
import { api, emit, EXIT, table, UsageError, type Command } from './common.ts';

interface Rec {
  id: string;
  type: string;
  time: string;
  data: { code: string; severity: string; outcome: string; ip: string | null; principal: string | null; reason: string; request_id: string | null };
}

/** One row of the human table for a record. */
export function recordRow(r: Rec): Record<string, unknown> {
  const d = r.data;
  return { time: r.time, code: d.code, severity: d.severity, outcome: d.outcome, ip: d.ip, principal: d.principal, reason: d.reason, id: r.id };
}
export const RECORD_COLUMNS = ['time', 'code', 'severity', 'outcome', 'ip', 'principal', 'reason', 'id'] as const;

export const query: Command = {
  usage: `jarvis audit query [filters] [--limit N] [--cursor C]
Security records, newest first (GET /admin/audit). Prints the next page's cursor on stderr.
${FILTER_HELP}
  --limit N         1..1000 (default 100)    --cursor C   continue after a previous page`,
  options: { ...FILTER_OPTIONS, limit: { type: 'string' }, cursor: { type: 'string' } },
  async run(ctx, v) {
    const res = await api(ctx, 'GET', '/admin/audit', { query: { ...filterQuery(v), limit: v.limit as string | undefined, cursor: v.cursor as string | undefined } });
    const page = (await res.json()) as { events: Rec[]; next_cursor: string | null };
    emit(ctx, v.json === true, page, () => (page.events.length ? table(page.events.map(recordRow), RECORD_COLUMNS) : 'no matching records'));
    if (page.next_cursor && v.json !== true) ctx.io.err(`more: --cursor ${page.next_cursor}`);
    return EXIT.ok;
  },
};

export const exportCmd: Command = {
  usage: `jarvis audit export [filters] [--limit N]
Every matching record as NDJSON on stdout, newest first, streamed (GET /admin/audit/export).
${FILTER_HELP}`,
  options: { ...FILTER_OPTIONS, limit: { type: 'string' } },
  async run(ctx, v) {
    const res = await api(ctx, 'GET', '/admin/audit/export', { query: { ...filterQuery(v), limit: v.limit as string | undefined } });
    const decoder = new TextDecoder();
    for await (const chunk of res.body ?? []) await ctx.io.write(decoder.decode(chunk as Uint8Array, { stream: true }));
    return EXIT.ok;
  },
};

const Group = z.object({ key: z.string().nullable(), count: z.number(), first: z.string(), last: z.string(), tried: z.record(z.string(), z.number()), principals: z.record(z.string(), z.number()), reasons: z.record(z.string(), z.number()) });
const list = (m: Record<string, number>) => Object.entries(m).map(([k, n]) => `${k} ×${n}`).join(', ') || '-';

export const stats: Command = {
  usage: `jarvis audit stats [filters] [--by ip|principal|type|outcome|request_id] [--min-count N] [--limit N]
Grouped counts, largest first, with what each group tried (GET /admin/audit/stats). Example:
  jarvis audit stats --type auth_failed --since 1h --by ip --min-count 11
${FILTER_HELP}`,
  options: { ...FILTER_OPTIONS, by: { type: 'string' }, 'min-count': { type: 'string' }, limit: { type: 'string' } },
  async run(ctx, v) {
    const res = await api(ctx, 'GET', '/admin/audit/stats', { query: { ...filterQuery(v), by: v.by as string | undefined, min_count: v['min-count'] as string | undefined, limit: v.limit as string | undefined } });
    const body = (await res.json()) as { by: string; groups: unknown[] };
    const groups = z.array(Group).parse(body.groups);
    emit(ctx, v.json === true, body, () =>
      groups.length
        ? table(groups.map((g) => ({ [body.by]: g.key, count: g.count, first: g.first, last: g.last, tried: list(g.tried), principals: list(g.principals), reasons: list(g.reasons) })), [body.by, 'count', 'first', 'last', 'tried', 'principals', 'reasons'], 80)
        : 'no group matches',
    );
    return EXIT.ok;
  },
};

export const hmac: Command = {
  usage: `jarvis audit hmac VALUE [--json]
The pseudonym the audit log stores for a key id, session id or IP when JARVIS_AUDIT_HMAC_KEY is set.`,
  options: { json: { type: 'boolean' } },
  positionals: [1, 1],
  async run(ctx, v, [value]) {
    const res = await api(ctx, 'POST', '/admin/audit/hmac', { body: { value } });
    const body = (await res.json()) as { enabled: boolean; value_hmac: string };
    emit(ctx, v.json === true, body, () => (body.enabled ? body.value_hmac : `${body.value_hmac}\n(HMACs are off: values are stored in clear)`));
    return EXIT.ok;
  },
};

export const verify: Command = {
  usage: `jarvis audit verify [--against log|store] [--json]
Reads the jarvis.security topic and checks the hash chain every record carries there (and the
chain heads published on it), then compares the audit store with it (--against log, the
default); --against store checks the audit store's copy alone, without reading the topic.
Exit 0 when intact, 1 with the first deleted, inserted or altered record (chain partition,
position and id).`,
  options: { against: { type: 'string' }, json: { type: 'boolean' } },
  async run(ctx, v) {
    const against = (v.against as string | undefined) ?? 'log';
    if (!['store', 'log'].includes(against)) throw new UsageError('--against must be store or log');
    const res = await api(ctx, 'GET', '/admin/audit/verify', { query: { against }, ok: [200, 409] });
    const r = (await res.json()) as { ok: boolean; scope: string; checked: number; compared?: number; unchained?: number; partitions: { partition: string; records: number; head_seq: number; head_hash: string }[]; problem: { kind: string; partition: string; seq: number; id: string | null; detail: string; where: string } | null };
    emit(ctx, v.json === true, r, () => {
      const head = `${r.ok ? 'intact' : 'TAMPERED'}: ${r.checked} records in ${r.partitions.length} chain(s) checked (${r.scope}${r.compared !== undefined ? `, ${r.compared} compared with the topic` : ''}${r.unchained ? `, ${r.unchained} published without a link` : ''})`;
      if (!r.problem) return `${head}\n${table(r.partitions, ['partition', 'records', 'head_seq', 'head_hash'], 64)}`;
      const p = r.problem;
      return `${head}\nfirst problem: ${p.kind} record in the ${p.where}, chain ${p.partition}, position ${p.seq}${p.id ? `, id ${p.id}` : ''}\n  ${p.detail}`;
    });
    return r.ok ? EXIT.ok : EXIT.failure;
  },
};
