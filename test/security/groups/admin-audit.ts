/**
 * The audit stream seen from outside: a refused request shows up under its request id within
 * 5 s, CloudEvents-shaped, naming the principal by id and never carrying a secret. Skipped when
 * the target does not serve /admin/audit (it belongs to its own issue).
 */
import assert from 'node:assert/strict';
import { check, skip, type Ctx } from '../harness.ts';
import type { Res } from '../http.ts';
import { show } from '../expect.ts';
import { randomId } from './endpoints.ts';
import { eventually } from './tokens.ts';

async function audit(ctx: Ctx, query: string): Promise<Res> {
  const res = await ctx.client.request({ path: `/admin/audit?${query}`, token: ctx.key('admin') });
  if (res.status === 404 || res.status === 501) skip(`GET /admin/audit answered ${res.status}: not served by this target`);
  return res;
}

const secretsOf = (ctx: Ctx): string[] => Object.values(ctx.options.keys).filter((s): s is string => typeof s === 'string');

export const auditChecks = [
  check('GET /admin/audit answers {events, next_cursor} with no secret in it', async (ctx) => {
    const res = await audit(ctx, 'limit=50');
    assert.equal(res.status, 200, show(res));
    const body = res.json as { events?: unknown; next_cursor?: unknown };
    assert.ok(Array.isArray(body.events) && 'next_cursor' in body, `expected {events: [...], next_cursor}: ${show(res)}`);
    for (const s of secretsOf(ctx)) assert.ok(!res.text.includes(s), 'the audit stream carries a secret');
  }),
  check('a refused request appears in the audit stream under its request id within 5 s', async (ctx) => {
    const requestId = `suite-audit-${randomId()}`;
    const bad = `suite-canary-${randomId()}`;
    const refused = await ctx.client.request({ path: '/status', token: bad, headers: { 'x-request-id': requestId } });
    assert.equal(refused.status, 401, show(refused));
    let last: Res | undefined;
    const seen = await eventually(5000, async () => {
      last = await audit(ctx, `request_id=${encodeURIComponent(requestId)}&since=15m`);
      const events = (last.json as { events?: unknown[] } | undefined)?.events;
      return Array.isArray(events) && events.length > 0;
    });
    assert.ok(seen && last, `no audit event for request ${requestId} within 5 s: ${last ? show(last) : ''}`);
    const events = (last.json as { events: Record<string, unknown>[] }).events;
    const e = events[0]!;
    for (const f of ['id', 'type', 'time', 'source', 'data']) assert.ok(f in e, `an audit record must carry "${f}": ${JSON.stringify(e).slice(0, 300)}`);
    const data = e.data as Record<string, unknown>;
    for (const f of ['code', 'severity', 'ip', 'principal', 'request_id', 'outcome', 'reason']) assert.ok(f in data, `audit data must carry "${f}": ${JSON.stringify(data).slice(0, 300)}`);
    assert.equal(data.request_id, requestId);
    assert.ok(!last.text.includes(bad), 'the audit record echoes the submitted credential');
  }),
];
