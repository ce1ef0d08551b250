/**
 * /admin/keys: managed API keys as events. A new key's secret appears in the creation answer
 * only; the registry keeps its SHA-256. Keys from the environment are listed but cannot be
 * revoked here (change the environment). Rotation issues a successor and keeps the old key
 * working for the overlap.
 */
import { z } from 'zod';
import { ApiKeyCreated, ApiKeyRevoked, ApiKeyRotated, Permission } from '../../../events/index.ts';
import { generateManagedKey } from '../../auth/keys.ts';
import { publishAudited } from '../audited.ts';
import { httpErrors } from '../errors.ts';
import type { JarvisContext, RouteSpec } from '../state.ts';
import type { RouteDeps } from './deps.ts';

export const CreateKeyRequest = z.strictObject({
  name: z.string().min(1).max(100).regex(/^[\p{L}\p{N} ._-]+$/u, 'letters, digits, spaces, . _ -'),
  permissions: z.array(Permission).min(1).max(4),
  expires_at: z.iso.datetime({ offset: true }).optional(),
});

export const RotateKeyRequest = z.strictObject({
  overlap_seconds: z.int().min(0).max(30 * 86_400).optional(),
});

const KeyOut = z.object({
  id: z.string(),
  name: z.string(),
  permissions: z.array(Permission),
  created_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  revoked: z.boolean(),
  source: z.enum(['environment', 'managed']),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const ID = /^[A-Za-z0-9-]{1,64}$/;

export function adminKeyRoutes(deps: RouteDeps): RouteSpec[] {
  const { config, clock, publisher, effects } = deps;
  const meta = (ctx: JarvisContext, key: string) => ({ key, subject: key, requestId: ctx.state.requestId, traceparent: ctx.state.traceparent, actorId: ctx.state.principal!.id });

  function create(ctx: JarvisContext, input: { name: string; permissions: readonly z.infer<typeof Permission>[]; expiresAt: number | null; rotatedFrom: string | null }) {
    const now = clock.now();
    const { id, key, secretSha256 } = generateManagedKey();
    const permissions = [...new Set(input.permissions)];
    publishAudited(
      ctx,
      publisher,
      ApiKeyCreated,
      { key_id: id, name: input.name, permissions, secret_sha256: secretSha256, created_at: new Date(now).toISOString(), expires_at: iso(input.expiresAt), created_by: ctx.state.principal!.id, rotated_from: input.rotatedFrom, ip: ctx.state.ip },
      meta(ctx, id),
    );
    effects.keyCreated({ id, name: input.name, permissions, secretSha256, expiresAt: input.expiresAt, revoked: false, createdAt: now });
    return { id, name: input.name, permissions, key, created_at: new Date(now).toISOString(), expires_at: iso(input.expiresAt) };
  }

  return [
    {
      method: 'GET',
      path: '/admin/keys',
      access: 'admin',
      tier: 'api',
      summary: 'List API keys (never their secrets).',
      responses: { '200': { description: 'Keys.', schema: z.object({ keys: z.array(KeyOut) }) } },
      handler(ctx) {
        const fromEnv = config.auth.staticKeys.map((k) => ({ id: k.id, name: k.name, permissions: k.permissions, created_at: null, expires_at: null, revoked: false, source: 'environment' as const }));
        const managed = effects.keys.list().map((k) => ({ id: k.id, name: k.name, permissions: k.permissions, created_at: iso(k.createdAt), expires_at: iso(k.expiresAt), revoked: k.revoked, source: 'managed' as const }));
        ctx.body = { keys: [...fromEnv, ...managed] };
      },
    },
    {
      method: 'POST',
      path: '/admin/keys',
      access: 'admin',
      tier: 'api',
      summary: 'Create an API key; its secret is shown in this answer only.',
      body: CreateKeyRequest,
      responses: { '201': { description: 'The new key, with its secret (shown once).' } },
      handler(ctx) {
        const body = ctx.state.body as z.infer<typeof CreateKeyRequest>;
        const expiresAt = body.expires_at ? Date.parse(body.expires_at) : null;
        if (expiresAt !== null && expiresAt <= clock.now()) throw httpErrors.validation([{ path: 'expires_at', message: 'must be in the future' }]);
        ctx.status = 201;
        ctx.body = create(ctx, { name: body.name, permissions: body.permissions, expiresAt, rotatedFrom: null });
      },
    },
    {
      method: 'DELETE',
      path: '/admin/keys/:id',
      access: 'admin',
      tier: 'api',
      summary: 'Revoke a managed key; it stops working on every instance.',
      responses: { '204': { description: 'Revoked.' }, '404': { description: 'No such managed key.' }, '409': { description: 'A key from the environment cannot be revoked here.' } },
      handler(ctx) {
        const id = ctx.params.id!;
        if (config.auth.staticKeys.some((k) => k.id === id)) throw httpErrors.conflict('This key comes from the environment; remove it there and restart.');
        const rec = ID.test(id) ? effects.keys.get(id) : undefined;
        if (!rec) throw httpErrors.notFound('No such key.');
        if (!rec.revoked) {
          publishAudited(ctx, publisher, ApiKeyRevoked, { key_id: id, revoked_by: ctx.state.principal!.id, reason: null, ip: ctx.state.ip }, meta(ctx, id));
          effects.keyRevoked(id);
        }
        ctx.status = 204;
      },
    },
    {
      method: 'POST',
      path: '/admin/keys/:id/rotate',
      access: 'admin',
      tier: 'api',
      summary: 'Issue a successor key; the old one keeps working for `overlap_seconds` (default 1 day), then expires.',
      body: RotateKeyRequest,
      responses: { '201': { description: 'The successor key, with its secret (shown once).' } },
      handler(ctx) {
        const id = ctx.params.id!;
        const rec = ID.test(id) ? effects.keys.get(id) : undefined;
        if (!rec || rec.revoked) throw httpErrors.notFound('No such active managed key.');
        const body = ctx.state.body as z.infer<typeof RotateKeyRequest>;
        const overlapUntil = clock.now() + (body.overlap_seconds ?? 86_400) * 1000;
        const successor = create(ctx, { name: rec.name, permissions: rec.permissions, expiresAt: rec.expiresAt, rotatedFrom: id });
        publishAudited(ctx, publisher, ApiKeyRotated, { key_id: id, successor_id: successor.id, overlap_until: new Date(overlapUntil).toISOString(), rotated_by: ctx.state.principal!.id, ip: ctx.state.ip }, meta(ctx, id));
        ctx.status = 201;
        ctx.body = { ...successor, rotated_from: id, previous_key_expires_at: new Date(overlapUntil).toISOString() };
      },
    },
  ];
}
