/** /admin/ip-blocks: block an address or CIDR range (IPv4 or IPv6), optionally for a while. */
import { z } from 'zod';
import { IpBlockAdded, IpBlockRemoved } from '../../../events/index.ts';
import { canonicalCidr, isValidCidr } from '../../network/cidr.ts';
import { publishAudited } from '../audited.ts';
import { httpErrors } from '../errors.ts';
import type { RouteSpec } from '../state.ts';
import type { RouteDeps } from './deps.ts';

export const CreateBlockRequest = z.strictObject({
  cidr: z.string().min(2).max(64).refine(isValidCidr, 'an IPv4 or IPv6 address or CIDR range'),
  expires_in: z.int().min(1).max(365 * 86_400).optional(),
  reason: z.string().max(200).optional(),
});

export function adminIpBlockRoutes(deps: RouteDeps): RouteSpec[] {
  const { clock, ids, publisher, effects } = deps;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return [
    {
      method: 'GET',
      path: '/admin/ip-blocks',
      access: 'admin',
      tier: 'api',
      summary: 'List active blocks (from the admin API and automatic brute-force blocks).',
      responses: { '200': { description: 'Blocks.' } },
      handler(ctx) {
        ctx.body = {
          blocks: effects.blocks.list(clock.now()).map((b) => ({ id: b.id, cidr: b.cidr, expires_at: iso(b.expiresAt), reason: b.reason, source: b.source, created_at: iso(b.createdAt) })),
        };
      },
    },
    {
      method: 'POST',
      path: '/admin/ip-blocks',
      access: 'admin',
      tier: 'api',
      summary: 'Block an address or range on every instance.',
      body: CreateBlockRequest,
      responses: { '201': { description: 'The block.' } },
      handler(ctx) {
        const body = ctx.state.body as z.infer<typeof CreateBlockRequest>;
        const now = clock.now();
        const id = `blk_${ids.short(9)}`;
        const cidr = canonicalCidr(body.cidr);
        const expiresAt = body.expires_in ? now + body.expires_in * 1000 : null;
        const by = ctx.state.principal!.id;
        publishAudited(
          ctx,
          publisher,
          IpBlockAdded,
          { block_id: id, cidr, expires_at: iso(expiresAt), reason: body.reason ?? null, source: 'admin', created_by: by, created_at: new Date(now).toISOString(), ip: ctx.state.ip },
          { key: id, subject: id, requestId: ctx.state.requestId, traceparent: ctx.state.traceparent, actorId: by },
        );
        effects.blockAdded({ id, cidr, expiresAt, reason: body.reason ?? null, source: 'admin', createdAt: now });
        ctx.status = 201;
        ctx.body = { id, cidr, expires_at: iso(expiresAt), reason: body.reason ?? null };
      },
    },
    {
      method: 'DELETE',
      path: '/admin/ip-blocks/:id',
      access: 'admin',
      tier: 'api',
      summary: 'Lift a block.',
      responses: { '204': { description: 'Lifted.' }, '404': { description: 'No such active block.' } },
      handler(ctx) {
        const id = ctx.params.id!;
        const block = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? effects.blocks.get(id) : undefined;
        if (!block) throw httpErrors.notFound('No such block.');
        publishAudited(ctx, publisher, IpBlockRemoved, { block_id: id, removed_by: ctx.state.principal!.id, ip: ctx.state.ip }, { key: id, subject: id, requestId: ctx.state.requestId, traceparent: ctx.state.traceparent, actorId: ctx.state.principal!.id });
        effects.blockRemoved(id);
        ctx.status = 204;
      },
    },
  ];
}
