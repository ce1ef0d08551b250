/**
 * The `jarvis` CLI as a process against a running instance: every command group, tables and
 * --json, exit codes (0 ok, 1 failure, 2 usage), --help everywhere, the analyst's question,
 * and the admin key never printed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { main } from '../../src/cli/commands/main.ts';
import { KEYS, startAuditJarvis, type AuditJarvis } from '../support/audit-jarvis.ts';

const ENTRY = path.resolve(import.meta.dirname, '../../src/cli/jarvis.ts');
let j: AuditJarvis;
const outputs: string[] = [];

function jarvis(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], { env: { PATH: process.env.PATH, JARVIS_URL: j.url, JARVIS_ADMIN_KEY: KEYS.admin, ...env }, cwd: path.resolve(import.meta.dirname, '../..') });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      outputs.push(out, err);
      resolve({ code: code ?? -1, out, err });
    });
  });
}

before(async () => {
  j = await startAuditJarvis({ JARVIS_TRUSTED_PROXIES: '127.0.0.1' });
  for (let i = 0; i < 11; i++) await (await j.fetch(i < 6 ? '/admin/keys' : '/status', { key: `guess-${i}-0123456789abcdef`, headers: { 'x-forwarded-for': '203.0.113.99' } })).arrayBuffer();
  for (let i = 0; i < 4; i++) await (await j.fetch('/status', { key: `guess-b-${i}-0123456789abcdef`, headers: { 'x-forwarded-for': '198.51.100.4' } })).arrayBuffer();
  await j.until(() => j.audit.store.count() >= 15);
});
after(async () => {
  await j.close();
  for (const o of outputs) assert.ok(!o.includes(KEYS.admin), 'the admin key was printed');
});

describe('jarvis audit', () => {
  test('the README question: which IPs failed authentication more than 10 times in the last hour, and what they tried', async () => {
    const r = await jarvis(['audit', 'stats', '--type', 'auth_failed', '--since', '1h', '--by', 'ip', '--min-count', '11']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0]!, /^IP\s+COUNT\s+FIRST\s+LAST\s+TRIED/);
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /^203\.0\.113\.99\s+11\s/);
    assert.match(lines[1]!, /\/admin\/keys \(api_key\) ×6/);
    assert.match(lines[1]!, /\/status \(api_key\) ×5/);
    const json = await jarvis(['audit', 'stats', '--type', 'auth_failed', '--since', '1h', '--min-count', '11', '--json']);
    assert.deepEqual((JSON.parse(json.out) as { groups: { key: string; count: number }[] }).groups.map((g) => [g.key, g.count]), [['203.0.113.99', 11]]);
  });

  test('query prints a table, or JSON with --json, and pages with --cursor', async () => {
    const t = await jarvis(['audit', 'query', '--ip', '203.0.113.0/24', '--type', 'JRV-AUTH-001', '--limit', '5']);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out.split('\n')[0]!, /^TIME\s+CODE\s+SEVERITY\s+OUTCOME\s+IP\s+PRINCIPAL\s+REASON\s+ID/);
    assert.equal(t.out.trim().split('\n').length, 6);
    const cursor = /--cursor (\S+)/.exec(t.err)![1]!;
    const next = await jarvis(['audit', 'query', '--ip', '203.0.113.0/24', '--type', 'auth_failed', '--limit', '100', '--cursor', cursor, '--json']);
    const page = JSON.parse(next.out) as { events: { data: { ip: string } }[]; next_cursor: string | null };
    assert.equal(page.events.length, 6);
    assert.equal(page.next_cursor, null);
  });

  test('export writes NDJSON to stdout', async () => {
    const r = await jarvis(['audit', 'export', '--type', 'auth_failed', '--ip', '198.51.100.4']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { data: { ip: string } });
    assert.equal(lines.length, 4);
    assert.ok(lines.every((l) => l.data.ip === '198.51.100.4'));
  });

  test('tail prints records as they arrive and stops after --count', async () => {
    const tail = jarvis(['audit', 'tail', '--type', 'auth_failed', '--count', '2', '--json']);
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 0; i < 2; i++) await (await j.fetch('/status', { key: `tail-${i}-0123456789abcdef`, headers: { 'x-forwarded-for': '192.0.2.55' } })).arrayBuffer();
    const r = await tail;
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.trim().split('\n').map((l) => (JSON.parse(l) as { data: { ip: string } }).data.ip), ['192.0.2.55', '192.0.2.55']);
  });

  test('verify exits 0 when intact and 1 naming the first altered record', async () => {
    const ok = await jarvis(['audit', 'verify', '--against', 'log']);
    assert.equal(ok.code, 0, ok.err + ok.out);
    assert.match(ok.out, /^intact: \d+ records/);
    const db = new Database(path.join(j.dataDir, 'audit.db'));
    const row = db.prepare("SELECT n, id, record FROM audit_events WHERE type = 'jarvis.security.auth_failed.v1' LIMIT 1").get() as { n: number; id: string; record: string };
    db.prepare('UPDATE audit_events SET record = ? WHERE n = ?').run(row.record.replace('203.0.113.99', '10.0.0.1').replace('198.51.100.4', '10.0.0.1'), row.n);
    try {
      const bad = await jarvis(['audit', 'verify']);
      assert.equal(bad.code, 1);
      assert.match(bad.out, /^TAMPERED/);
      assert.match(bad.out, new RegExp(`first problem: altered record in the store, chain \\S+, position \\d+, id ${row.id}`));
    } finally {
      db.prepare('UPDATE audit_events SET record = ? WHERE n = ?').run(row.record, row.n);
      db.close();
    }
  });

  test('hmac prints the pseudonym, and says when HMACs are off', async () => {
    const r = await jarvis(['audit', 'hmac', 'key_abc']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /HMACs are off/);
  });
});

describe('jarvis keys, sessions, ip', () => {
  test('keys create prints the new key once; list shows it; revoke revokes it', async () => {
    const c = await jarvis(['keys', 'create', '--name', 'cli test', '--permissions', 'read', '--json']);
    assert.equal(c.code, 0, c.err);
    const key = JSON.parse(c.out) as { id: string; key: string };
    assert.ok(key.key.length > 20);
    const list = await jarvis(['keys', 'list']);
    assert.match(list.out, new RegExp(`${key.id}\\s+cli test\\s+read`));
    assert.equal((await jarvis(['keys', 'revoke', key.id])).code, 0);
    await j.until(async () => (await j.fetch('/status', { key: key.key })).status === 401);
    const missing = await jarvis(['keys', 'revoke', 'no_such_key']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /^jarvis: DELETE \/admin\/keys\/no_such_key answered 404/);
  });

  test('ip block, list and unblock', async () => {
    const b = await jarvis(['ip', 'block', '203.0.113.0/24', '--expires-in', '600', '--reason', 'cli test', '--json']);
    assert.equal(b.code, 0, b.err);
    const block = JSON.parse(b.out) as { id: string; cidr: string };
    assert.equal(block.cidr, '203.0.113.0/24');
    assert.match((await jarvis(['ip', 'list'])).out, new RegExp(`${block.id}\\s+203\\.0\\.113\\.0/24`));
    assert.equal((await jarvis(['ip', 'unblock', block.id])).code, 0);
    assert.doesNotMatch((await jarvis(['ip', 'list'])).out, new RegExp(block.id));
  });

  test('sessions list shows a minted session; revoke ends it', async () => {
    const tok = (await (await j.fetch('/auth/token', { key: KEYS.full, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { access_token: string };
    assert.equal((await j.fetch('/status', { key: tok.access_token })).status, 200);
    const sessions = await j.until(async () => (JSON.parse((await jarvis(['sessions', 'list', '--json'])).out) as { sessions: { id: string }[] }).sessions[0]);
    assert.equal((await jarvis(['sessions', 'revoke', sessions.id])).code, 0);
    await j.until(async () => (await j.fetch('/status', { key: tok.access_token })).status === 401);
  });
});

describe('usage, help and failures', () => {
  test('--help works for the tool, every group and every command, exit 0', async () => {
    const top = await jarvis(['--help']);
    // In process for the many cases (a process per case costs a tsx start each).
    const inProcess = async (args: string[]) => {
      let out = '';
      const io = { out: (t: string) => void (out += `${t}\n`), err: (t: string) => void (out += `${t}\n`), write: async (c: string) => void (out += c) };
      const code = await main(args, { JARVIS_URL: j.url, JARVIS_ADMIN_KEY: KEYS.admin }, io, new AbortController().signal);
      return { code, out };
    };
    assert.equal(top.code, 0);
    for (const [group, cmds] of Object.entries({ audit: ['query', 'export', 'tail', 'stats', 'verify', 'hmac'], keys: ['create', 'list', 'revoke'], sessions: ['list', 'revoke'], ip: ['block', 'unblock', 'list'], projections: ['rebuild'] })) {
      assert.match(top.out, new RegExp(`${group}\\s+${cmds.join('\\|')}`));
      assert.equal((await inProcess([group, '--help'])).code, 0);
      for (const c of cmds) {
        const h = await inProcess([group, c, '--help']);
        assert.equal(h.code, 0, `${group} ${c}`);
        assert.match(h.out, new RegExp(`^Usage: jarvis ${group} ${c}`));
      }
    }
  });

  test('usage mistakes exit 2, failures exit 1 with one clear line', async () => {
    assert.equal((await jarvis([])).code, 2);
    const io = { out: () => {}, err: () => {}, write: async () => {} };
    for (const args of [['nope'], ['audit'], ['audit', 'nope'], ['audit', 'query', '--colour', 'red'], ['keys', 'revoke'], ['keys', 'revoke', 'a', 'b'], ['audit', 'verify', '--against', 'moon'], ['keys', 'create']]) {
      assert.equal(await main(args, { JARVIS_URL: j.url, JARVIS_ADMIN_KEY: KEYS.admin }, io, new AbortController().signal), 2, args.join(' '));
    }
    const bad = await jarvis(['audit', 'query', '--since', 'yesterday']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /answered 400: Bad request .*since/);
    const noKey = await jarvis(['keys', 'list'], { JARVIS_ADMIN_KEY: '' });
    assert.deepEqual([noKey.code, noKey.err.trim()], [1, 'jarvis: JARVIS_ADMIN_KEY is not set (an admin API key)']);
    const wrongKey = await jarvis(['keys', 'list'], { JARVIS_ADMIN_KEY: KEYS.read });
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.err, /answered 403/);
    const down = await jarvis(['ip', 'list'], { JARVIS_URL: 'http://127.0.0.1:9' });
    assert.equal(down.code, 1);
    assert.match(down.err, /^jarvis: cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
