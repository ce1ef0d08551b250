/**
 * With only the admin key, the suite provisions the role keys it lacks (read; read+chat;
 * read+chat+stream) through POST /admin/keys, waits until each authenticates, and revokes them
 * at the end of the run. `--no-provision` turns this off.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from './http.ts';
import type { SuiteKeys } from './options.ts';

const ROLES: { kind: Exclude<keyof SuiteKeys, 'admin'>; permissions: string[] }[] = [
  { kind: 'read', permissions: ['read'] },
  { kind: 'chat', permissions: ['read', 'chat'] },
  { kind: 'full', permissions: ['read', 'chat', 'stream'] },
];

export interface Provisioned {
  readonly keys: SuiteKeys;
  /** One line per key created or per failure, for the report. */
  readonly notes: readonly string[];
  /** Revokes what was created; returns the failures. */
  revoke(): Promise<string[]>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Creates the missing role keys; never throws (a failure leaves the role missing, so its checks skip). */
export async function provisionKeys(client: Client, keys: SuiteKeys): Promise<Provisioned> {
  const admin = keys.admin;
  const created: { id: string; kind: string }[] = [];
  const notes: string[] = [];
  const out: { -readonly [K in keyof SuiteKeys]: SuiteKeys[K] } = { ...keys };
  if (admin) {
    for (const role of ROLES.filter((r) => !keys[r.kind])) {
      try {
        const res = await client.request({ method: 'POST', path: '/admin/keys', token: admin, body: { name: `security-suite-${role.kind}-${randomBytes(4).toString('hex')}`, permissions: role.permissions } });
        const body = res.json as { id?: unknown; key?: unknown } | undefined;
        if (res.status !== 201 || typeof body?.id !== 'string' || typeof body.key !== 'string') {
          notes.push(`could not provision a ${role.kind} key (POST /admin/keys → ${res.status})`);
          continue;
        }
        created.push({ id: body.id, kind: role.kind });
        // enforcement goes through the event log: wait until the key is accepted
        for (let i = 0; i < 20 && (await client.request({ path: '/status', token: body.key })).status !== 200; i++) await sleep(250);
        out[role.kind] = body.key;
        notes.push(`provisioned a ${role.kind} key (${role.permissions.join(',')}) as ${body.id}; it is revoked at the end`);
      } catch (e) {
        notes.push(`could not provision a ${role.kind} key: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  return {
    keys: Object.freeze(out),
    notes,
    async revoke() {
      const failures: string[] = [];
      for (const k of created) {
        try {
          const res = await client.request({ method: 'DELETE', path: `/admin/keys/${encodeURIComponent(k.id)}`, token: admin });
          if (res.status >= 300 && res.status !== 404) failures.push(`revoking the provisioned ${k.kind} key ${k.id} answered ${res.status}`);
        } catch (e) {
          failures.push(`revoking the provisioned ${k.kind} key ${k.id}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      return failures;
    },
  };
}
