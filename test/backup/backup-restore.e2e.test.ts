/**
 * "Tested backup procedures": a running instance is backed up with `jarvis backup`, the backup
 * is restored into a fresh directory with `jarvis restore`, and an instance started there has
 * the same keys, blocks, sessions and audit records — and the same event log.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { KEYS, startTestJarvis } from '../support/http-jarvis.ts';

const run = promisify(execFile);
const jarvisCli = (args: string[], env: Record<string, string>) => run(process.execPath, ['--import', 'tsx', 'src/cli/jarvis.ts', ...args], { cwd: path.resolve(import.meta.dirname, '../..'), env: { ...process.env, ...env }, timeout: 60_000 });
const json = { 'content-type': 'application/json' };

async function snapshot(t: Awaited<ReturnType<typeof startTestJarvis>>) {
  const get = async (p: string) => (await (await t.fetch(p, { key: KEYS.admin })).json()) as Record<string, unknown[]>;
  // Reading the audit log is itself audited: leave those records out, each snapshot adds one.
  const audit = (((await get('/admin/audit?limit=1000')).events ?? []) as { id: string; type: string }[]).filter((e) => e.type !== 'jarvis.security.audit_queried.v1');
  return {
    keys: (await get('/admin/keys')).keys ?? [],
    blocks: (await get('/admin/ip-blocks')).blocks ?? [],
    sessions: (await get('/admin/sessions?state=all')).sessions ?? [],
    audit: audit.map((e) => e.id).sort(),
  };
}

async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('backup and restore', () => {
  it('restores a backup of a running instance into a fresh directory with identical projections', { timeout: 120_000 }, async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'jarvis-backup-'));
    const a = await startTestJarvis({ JARVIS_BRUTE_FORCE_THRESHOLD: '1000' });
    let b: Awaited<ReturnType<typeof startTestJarvis>> | undefined;
    try {
      const key = (await (await a.fetch('/admin/keys', { method: 'POST', key: KEYS.admin, headers: json, body: JSON.stringify({ name: 'kept', permissions: ['read'] }) })).json()) as { key: string };
      await a.fetch('/admin/ip-blocks', { method: 'POST', key: KEYS.admin, headers: json, body: JSON.stringify({ cidr: '203.0.113.0/24', expires_in: 3600, reason: 'backup test' }) });
      const token = (await (await a.fetch('/auth/token', { method: 'POST', key: KEYS.full })).json()) as { access_token: string };
      for (let i = 0; i < 5; i++) await (await a.fetch('/status', { key: `wrong-key-${i}-0123456789` })).arrayBuffer();
      await until(async () => (await snapshot(a)).audit.length >= 7 && (await snapshot(a)).sessions.length >= 1);
      const before = await snapshot(a);

      // The instance keeps running (and answering) while the backup is taken.
      const traffic = Promise.all(Array.from({ length: 20 }, () => a.fetch('/health').then((r) => r.arrayBuffer())));
      const backup = path.join(work, 'backup');
      const out = await jarvisCli(['backup', backup, '--data-dir', a.dataDir, '--json'], {});
      await traffic;
      const manifest = JSON.parse(out.stdout) as { files: { name: string }[] };
      assert.ok(manifest.files.some((f) => f.name === 'eventlog.db'));
      assert.ok(manifest.files.some((f) => f.name === 'projections.db'));

      const restored = path.join(work, 'restored');
      await jarvisCli(['restore', backup, '--data-dir', restored], {});
      b = await startTestJarvis({ JARVIS_DATA_DIR: restored, JARVIS_BRUTE_FORCE_THRESHOLD: '1000' });
      let after = await snapshot(b);
      await until(async () => JSON.stringify((after = await snapshot(b!))) === JSON.stringify(before)).catch(() => undefined);
      assert.deepEqual(after, before);
      assert.equal((await b.fetch('/status', { key: key.key })).status, 200, 'a managed key survives the restore');
      assert.equal((await b.fetch('/status', { key: token.access_token })).status, 200, 'so does a session');
      const verify = await b.fetch('/admin/audit/verify', { key: KEYS.admin });
      assert.equal(verify.status, 200, 'the restored audit chain verifies');
    } finally {
      await b?.close();
      await a.close();
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('refuses to restore over a directory that is not empty, and a backup that was altered', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'jarvis-backup-'));
    const a = await startTestJarvis();
    try {
      const backup = path.join(work, 'backup');
      await jarvisCli(['backup', backup, '--data-dir', a.dataDir], {});
      await assert.rejects(jarvisCli(['restore', backup, '--data-dir', a.dataDir], {}), (e: { code?: number; stderr?: string }) => e.code === 1 && /not empty/.test(e.stderr ?? ''));
      writeFileSync(path.join(backup, 'eventlog.db'), 'tampered');
      await assert.rejects(jarvisCli(['restore', backup, '--data-dir', path.join(work, 'fresh')], {}), (e: { code?: number; stderr?: string }) => e.code === 1 && /altered/.test(e.stderr ?? ''));
    } finally {
      await a.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
