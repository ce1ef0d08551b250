/**
 * The operator's guide works as written: every ```bash block that docs/deployment.md marks
 * `<!-- checked -->` runs in bash, in document order, against the real API behind the real
 * nginx (deployment configuration, TLS). Only two things change: curl reaches your-domain.com:443
 * on loopback (--connect-to, trusting the test certificate), and the placeholder keys become
 * real ones. curl runs with --fail-with-body, so any HTTP error fails the block.
 * The chat provider is the project's OpenAI-compatible stand-in (the real protocol).
 * A block that calls an endpoint the API does not offer yet (absent from /openapi.json) is
 * reported as skipped, with the endpoint named. Commands run asynchronously: the API lives in
 * this process, and a synchronous child would stall the event loop it answers from.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startNginx, type RunningNginx } from '../support/deployment-nginx.ts';
import { KEYS, startTestJarvis, type TestJarvis } from '../support/http-jarvis.ts';
import { startOpenAIStandIn, type StandIn } from '../support/chat-openai-server.ts';

const root = path.resolve(import.meta.dirname, '../..');
const DOMAIN = 'your-domain.com';
const doc = readFileSync(path.join(root, 'docs/deployment.md'), 'utf8');
const blocks = [...doc.matchAll(/<!-- checked -->\n```bash\n([\s\S]*?)\n```/g)].map((m) => m[1]!);

let llm: StandIn;
let api: TestJarvis;
let nginx: RunningNginx;
let dir: string;
let offered: RegExp[] = [];

before(async () => {
  llm = await startOpenAIStandIn({ reply: 'I can chat, and I can speak my answers aloud.' });
  api = await startTestJarvis({
    JARVIS_TRUSTED_PROXIES: '127.0.0.1',
    JARVIS_TRUSTED_HOSTS: DOMAIN,
    JARVIS_LOCAL_LLM_URL: llm.url,
    JARVIS_TTS_ENGINE: 'embedded',
  });
  nginx = await startNginx([new URL(api.url).host], { domain: DOMAIN });
  dir = mkdtempSync(path.join(tmpdir(), 'jarvis-docs-'));
  writeFileSync(path.join(dir, 'ca.pem'), nginx.ca);
  const openapi = (await getJson('/openapi.json')) as { paths: Record<string, unknown> };
  offered = Object.keys(openapi.paths).map((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}`));
});

after(async () => {
  await nginx?.stop();
  await api?.close();
  await llm?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Endpoints a block calls that the API does not offer (yet). */
function missingEndpoints(block: string): string[] {
  const paths = [...block.matchAll(new RegExp(`https://${DOMAIN.replace(/\./g, '\\.')}(/[A-Za-z0-9/_.-]*)`, 'g'))].map((m) => m[1]!);
  return paths.filter((p) => !offered.some((re) => re.test(p)));
}

interface Ran { readonly code: number | null; readonly out: string; readonly err: string }

function exec(cmd: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out, err }); });
  });
}

/** GET through nginx with curl, as an operator would; the API only answers for your-domain.com. */
async function getJson(urlPath: string, key?: string): Promise<unknown> {
  const args = ['--fail-with-body', '-sS', '--max-time', '30', '--connect-to', `${DOMAIN}:443:127.0.0.1:${nginx.httpsPort}`, '--cacert', path.join(dir, 'ca.pem')];
  if (key) args.push('-H', `Authorization: Bearer ${key}`);
  const r = await exec('curl', [...args, `https://${DOMAIN}${urlPath}`], dir);
  assert.equal(r.code, 0, `${urlPath}: ${r.out} ${r.err}`);
  return JSON.parse(r.out);
}

function runBlock(block: string): Promise<Ran> {
  const prelude = [
    'set -euo pipefail',
    // --fail-with-body unless the example already says -f (curl refuses both at once)
    'curl() {',
    '  local fail=(--fail-with-body); for a in "$@"; do case "$a" in -f|--fail) fail=() ;; esac; done',
    `  command curl "\${fail[@]}" -sS --max-time 30 --connect-to ${DOMAIN}:443:127.0.0.1:${nginx.httpsPort} --cacert ${path.join(dir, 'ca.pem')} "$@"`,
    '}',
    '',
  ].join('\n');
  const script = prelude + block.replaceAll('YOUR_API_KEY', KEYS.full).replaceAll('YOUR_ADMIN_KEY', KEYS.admin);
  return exec('bash', ['-c', script], dir);
}

test('the guide has the examples it promises to check', () => {
  assert.ok(blocks.length >= 10, `${blocks.length} checked blocks`);
  for (const p of ['/status', '/chat', '/audio/stream', '/auth/token', '/health', '/admin/keys', '/admin/ip-blocks', '/admin/sessions']) {
    assert.ok(blocks.some((b) => b.includes(`https://${DOMAIN}${p}`)), p);
  }
});

for (const [i, block] of blocks.entries()) {
  const title = block.split('\n').find((l) => l.trim() && !l.startsWith('#'))?.trim().slice(0, 70) ?? `block ${i + 1}`;
  test(`docs/deployment.md block ${i + 1} runs as written: ${title}`, async (t) => {
    const missing = missingEndpoints(block);
    if (missing.length > 0) {
      t.skip(`the API does not offer ${missing.join(', ')} yet`);
      return;
    }
    const r = await runBlock(block);
    assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.out.slice(0, 500)}\nstderr: ${r.err.slice(0, 500)}`);
  });
}

test('the audio examples wrote playable WAV files', () => {
  for (const f of ['jarvis_response.wav', 'direct_stream.wav']) {
    const wav = readFileSync(path.join(dir, f));
    assert.equal(wav.subarray(0, 4).toString('latin1'), 'RIFF', f);
    assert.equal(wav.subarray(8, 12).toString('latin1'), 'WAVE', f);
    assert.ok(wav.length > 20_000, `${f}: ${wav.length} bytes`);
  }
});

test('after the emergency block no session is active, and the blocked range is listed', async () => {
  const sessions = (await getJson('/admin/sessions', KEYS.admin)) as { sessions: unknown[] };
  assert.equal(sessions.sessions.length, 0);
  const blocksNow = await getJson('/admin/ip-blocks', KEYS.admin);
  assert.ok(JSON.stringify(blocksNow).includes('203.0.113.0/24'));
});

test('after rotation the kitchen speaker has one live key: the successor', async () => {
  const keys = (await getJson('/admin/keys', KEYS.admin)) as { keys: { name: string; revoked: boolean }[] };
  const kitchen = keys.keys.filter((k) => k.name === 'kitchen speaker');
  assert.equal(kitchen.length, 2);
  assert.equal(kitchen.filter((k) => !k.revoked).length, 1);
});
