/**
 * The contract's protected endpoints with the permission each needs and a body that would be
 * valid, so a refusal can only come from the credential or permission check.
 */
import { randomBytes } from 'node:crypto';
import { skip, type Ctx } from '../harness.ts';
import type { Res } from '../http.ts';

export type Needs = 'read' | 'chat' | 'stream' | 'admin' | 'api-key' | 'jwt';

export interface Endpoint {
  readonly method: string;
  readonly path: string;
  readonly needs: Needs;
  readonly body?: unknown;
  /** Served only when the audit feature is deployed (its own issue): a 404 skips rather than fails. */
  readonly optional?: boolean;
}

/** A random id that names nothing on the target. */
export const randomId = (): string => `suite${randomBytes(9).toString('hex')}`;

/** A TEST-NET-3 address (RFC 5737): never a real client. */
export const TEST_NET_IP = '203.0.113.77';

/** Every endpoint of the contract that needs a credential. Ids in paths are random. */
export function protectedEndpoints(): Endpoint[] {
  return [
    { method: 'GET', path: '/status', needs: 'read' },
    { method: 'POST', path: '/chat', needs: 'chat', body: { text: 'hello' } },
    { method: 'POST', path: '/audio/stream', needs: 'stream', body: { text: 'hello' } },
    { method: 'GET', path: `/audio/stream/${randomId()}`, needs: 'stream' },
    { method: 'POST', path: '/v1/audio/speech', needs: 'stream', body: { model: 'tts-1', input: 'hello', voice: 'alloy' } },
    { method: 'POST', path: '/auth/token', needs: 'api-key', body: {} },
    { method: 'POST', path: '/auth/logout', needs: 'jwt' },
    { method: 'GET', path: '/admin/keys', needs: 'admin' },
    { method: 'POST', path: '/admin/keys', needs: 'admin', body: { name: 'security-suite-should-not-exist', permissions: ['read'] } },
    { method: 'DELETE', path: `/admin/keys/${randomId()}`, needs: 'admin' },
    { method: 'GET', path: '/admin/sessions', needs: 'admin' },
    { method: 'DELETE', path: `/admin/sessions/${randomId()}`, needs: 'admin' },
    { method: 'GET', path: '/admin/ip-blocks', needs: 'admin' },
    { method: 'POST', path: '/admin/ip-blocks', needs: 'admin', body: { cidr: '203.0.113.250', expires_in: 60, reason: 'security suite: must be refused' } },
    { method: 'DELETE', path: `/admin/ip-blocks/${randomId()}`, needs: 'admin' },
    { method: 'GET', path: '/admin/audit', needs: 'admin', optional: true },
    { method: 'GET', path: '/admin/audit/export', needs: 'admin', optional: true },
    { method: 'GET', path: '/admin/audit/live', needs: 'admin', optional: true },
  ];
}

/** Skips the check when an optional endpoint is not deployed (404). */
export function skipIfAbsent(e: Endpoint, res: Res): void {
  if (e.optional && res.status === 404) skip(`${e.method} ${e.path} answered 404: not served by this target`);
}

/** Sends an endpoint's request with a token (or none), bounded for streaming endpoints. */
export function call(ctx: Ctx, e: Endpoint, token: string | undefined, headers: Record<string, string> = {}): Promise<Res> {
  return ctx.client.request({ method: e.method, path: e.path, token, headers, body: e.body, timeoutMs: 8000, maxBodyBytes: 16 * 1024 });
}

/**
 * If a request that had to be refused created something anyway, undo it with the admin key,
 * so even a broken target is left as it was found.
 */
export function undoIfCreated(ctx: Ctx, e: Endpoint, res: Res): void {
  if (res.status !== 201 || e.method !== 'POST') return;
  const id = (res.json as { id?: unknown } | undefined)?.id;
  const admin = ctx.options.keys.admin;
  if (typeof id !== 'string' || !admin) return;
  ctx.onCleanup(`remove ${e.path}/${id} created by a request that should have been refused`, async () => {
    await ctx.client.request({ method: 'DELETE', path: `${e.path}/${encodeURIComponent(id)}`, token: admin });
  });
}
