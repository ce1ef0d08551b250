/** Minting real JWTs through POST /auth/token, remembered per run and logged out at the end. */
import assert from 'node:assert/strict';
import type { Ctx } from '../harness.ts';
import { show } from '../expect.ts';

export interface Minted {
  readonly access_token: string;
  readonly session_id: string;
  readonly scope: string;
  readonly expires_in: number;
  readonly token_type: string;
}

/** Exchanges `key` for a JWT (optionally a scope subset); fails the check if the exchange fails. */
export async function mint(ctx: Ctx, key: string, scope?: string, opts: { cleanup?: boolean } = {}): Promise<Minted> {
  const res = await ctx.client.request({ method: 'POST', path: '/auth/token', token: key, body: scope === undefined ? {} : { scope } });
  assert.ok(res.status === 200 || res.status === 201, `POST /auth/token must issue a token: ${show(res)}`);
  const t = res.json as Partial<Minted> | undefined;
  assert.ok(t && typeof t.access_token === 'string' && t.access_token.split('.').length === 3, `access_token must be a compact JWT: ${show(res)}`);
  assert.equal(t.token_type?.toLowerCase(), 'bearer', `token_type must be "Bearer": ${show(res)}`);
  assert.equal(typeof t.expires_in, 'number', `expires_in must be a number: ${show(res)}`);
  assert.equal(typeof t.session_id, 'string', `session_id must be a string: ${show(res)}`);
  assert.equal(typeof t.scope, 'string', `scope must be a space-separated string: ${show(res)}`);
  if (opts.cleanup !== false) {
    const token = t.access_token;
    ctx.onCleanup('log out a session the suite opened', async () => {
      await ctx.client.request({ method: 'POST', path: '/auth/logout', token });
    });
  }
  return t as Minted;
}

/** A run-wide JWT minted from the first key that may hold chat (for tampering). */
export function sharedToken(ctx: Ctx): Promise<Minted> {
  const key = ctx.options.keys.chat ?? ctx.options.keys.full ?? ctx.options.keys.read ?? ctx.key('admin');
  return ctx.memo('shared-jwt', () => mint(ctx, key));
}

/** Polls `probe` every 250 ms until it returns true or `ms` pass; returns the last verdict. */
export async function eventually(ms: number, probe: () => Promise<boolean>): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}
