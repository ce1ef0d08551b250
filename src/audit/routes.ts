/**
 * The audit routes (admin): GET /admin/audit (pages), /admin/audit/export (NDJSON),
 * /admin/audit/live (SSE), /admin/audit/stats (grouped counts for investigations),
 * /admin/audit/verify (hash chains, optionally against the topic) and POST /admin/audit/hmac
 * (the pseudonym of a known value). Every read is itself audited (see audited.ts).
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { Publisher } from '../eventlog/publisher.ts';
import type { RouteSpec } from '../http/state.ts';
import type { Clock } from '../shared/clock.ts';
import { auditRead } from './audited.ts';
import { AuditFilters } from './filters.ts';
import { LiveClients, streamLive, type LiveOptions } from './live.ts';
import type { Audit } from './service.ts';
import { GROUP_BY, groupStats } from './stats.ts';

export interface AuditRouteDeps {
  readonly audit: Audit;
  readonly publisher: Publisher;
  readonly clock: Clock;
  readonly live?: LiveOptions;
}

// Query strings are text: numbers are parsed here, strictly (no "1e3", no "-1").
const intText = (min: number, max: number) => z.string().regex(/^\d{1,7}$/).transform(Number).refine((n) => n >= min && n <= max, `between ${min} and ${max}`);

export const AuditQuery = AuditFilters.extend({ limit: intText(1, 1000).optional(), cursor: z.string().max(400).optional() });
export const ExportQuery = AuditFilters.extend({ limit: intText(1, 10_000_000).optional() });
export const StatsQuery = AuditFilters.extend({ by: z.enum(GROUP_BY).optional(), min_count: intText(1, 1_000_000).optional(), limit: intText(1, 1000).optional() });
export const VerifyQuery = z.strictObject({ against: z.enum(['store', 'log']).optional() });
export const HmacRequest = z.strictObject({ value: z.string().min(1).max(256) });

const filtersOf = (q: Record<string, unknown>) => Object.fromEntries(Object.entries(q).filter(([k]) => k in AuditFilters.shape)) as AuditFilters;

/** The audit routes, plus `live` to end open streams at shutdown. */
export function auditRoutes(deps: AuditRouteDeps): RouteSpec[] & { live: LiveClients } {
  const { audit, publisher, clock } = deps;
  const live = new LiveClients(audit.config.maxLiveClients);
  const routes: RouteSpec[] = [
    {
      method: 'GET',
      path: '/admin/audit',
      access: 'admin',
      tier: 'api',
      summary: 'Query the SECURITY_EVENT audit log, newest first: filters type, since, until, ip (address or CIDR), principal, request_id, trace_id, outcome, id, caused_by; limit (≤ 1000, default 100), cursor.',
      query: AuditQuery,
      responses: { '200': { description: '{events: [...], next_cursor}' } },
      handler(ctx) {
        const q = ctx.state.query as z.infer<typeof AuditQuery>;
        const page = audit.store.page(filtersOf(q), q.limit ?? 100, q.cursor, clock.now());
        auditRead(publisher, audit.pseudonyms, ctx, 'query', { ...q, limit: undefined }, { results: page.events.length });
        ctx.body = page;
      },
    },
    {
      method: 'GET',
      path: '/admin/audit/export',
      access: 'admin',
      tier: 'api',
      summary: 'The same filters as /admin/audit, every matching record as NDJSON (newest first), streamed.',
      query: ExportQuery,
      responses: { '200': { description: 'One record per line.', contentType: 'application/x-ndjson' } },
      handler(ctx) {
        const q = ctx.state.query as z.infer<typeof ExportQuery>;
        const pages = audit.store.pages(filtersOf(q), clock.now());
        let left = q.limit ?? Infinity;
        auditRead(publisher, audit.pseudonyms, ctx, 'export', q);
        ctx.type = 'application/x-ndjson';
        ctx.set('Cache-Control', 'no-store');
        // Pull-based, one page ahead at most: the next page is read only when the client has
        // taken the previous one, so an export of any size holds about one page in memory.
        ctx.body = Readable.from((function* () {
          for (const page of pages) {
            const take = page.slice(0, Math.min(page.length, left));
            left -= take.length;
            if (take.length > 0) yield take.map((r) => JSON.stringify(r)).join('\n') + '\n';
            if (left <= 0) return;
          }
        })(), { objectMode: true, highWaterMark: 1 });
      },
    },
    {
      method: 'GET',
      path: '/admin/audit/live',
      access: 'admin',
      tier: 'stream',
      summary: 'Server-Sent Events of security records as they are stored (same filters); resumable with Last-Event-ID; heartbeats.',
      query: AuditFilters,
      responses: { '200': { description: 'An event stream.', contentType: 'text/event-stream' }, '503': { description: 'Too many live clients.' } },
      async handler(ctx) {
        const q = ctx.state.query as AuditFilters;
        auditRead(publisher, audit.pseudonyms, ctx, 'live', q);
        await streamLive(ctx, audit, live, q, clock, deps.live);
      },
    },
    {
      method: 'GET',
      path: '/admin/audit/stats',
      access: 'admin',
      tier: 'api',
      summary: 'Grouped counts over the same filters: by ip (default), principal, type, outcome or request_id; groups with at least min_count records, with what each tried.',
      query: StatsQuery,
      responses: { '200': { description: '{by, groups: [{key, count, first, last, tried, principals, reasons}]}' } },
      handler(ctx) {
        const q = ctx.state.query as z.infer<typeof StatsQuery>;
        const by = q.by ?? 'ip';
        const groups = groupStats(audit.store, audit.pseudonyms, filtersOf(q), by, q.min_count ?? 1, q.limit ?? 100, clock.now());
        auditRead(publisher, audit.pseudonyms, ctx, 'stats', q, { results: groups.length });
        ctx.body = { by, groups };
      },
    },
    {
      method: 'GET',
      path: '/admin/audit/verify',
      access: 'admin',
      tier: 'api',
      summary: 'Verify the audit hash chains (against=store, default), or compare them with the jarvis.security topic too (against=log). 200 when intact, 409 with the first deleted, inserted or altered record otherwise.',
      query: VerifyQuery,
      responses: { '200': { description: '{ok: true, checked, partitions}' }, '409': { description: '{ok: false, problem: {kind, partition, seq, id, detail, where}}' } },
      async handler(ctx) {
        const q = ctx.state.query as z.infer<typeof VerifyQuery>;
        auditRead(publisher, audit.pseudonyms, ctx, 'verify', q);
        const report = await audit.verify(q.against === 'log');
        ctx.status = report.ok ? 200 : 409;
        ctx.body = report;
      },
    },
    {
      method: 'POST',
      path: '/admin/audit/hmac',
      access: 'admin',
      tier: 'api',
      summary: 'The stored pseudonym (keyed HMAC, JARVIS_AUDIT_HMAC_KEY) of a known key id, session id or IP, to search for it.',
      body: HmacRequest,
      responses: { '200': { description: '{value_hmac, enabled}' } },
      handler(ctx) {
        const b = ctx.state.body as z.infer<typeof HmacRequest>;
        auditRead(publisher, audit.pseudonyms, ctx, 'hmac', {});
        ctx.body = { enabled: audit.pseudonyms.enabled, value_hmac: audit.pseudonyms.of(b.value) };
      },
    },
  ];
  return Object.assign(routes, { live });
}
