/**
 * deploy.sh, run for real in a temporary copy of the repository with the certbot and Docker
 * steps dry-run: the env file it writes (mode 600, strong secrets, keys printed once) must be
 * accepted by the API's own configuration parser, a second run must change nothing, and weak
 * or conflicting settings must be refused. Grafana's admin password goes to its own file, which
 * only the grafana service reads, never to the env file the API receives.
 */
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { loadConfig } from '../../src/config/config.ts';

const root = path.resolve(import.meta.dirname, '../..');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'jarvis-deploy-'));
  mkdirSync(path.join(dir, 'deployment'));
  copyFileSync(path.join(root, 'deploy.sh'), path.join(dir, 'deploy.sh'));
  copyFileSync(path.join(root, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
  copyFileSync(path.join(root, 'deployment/.env.example'), path.join(dir, 'deployment/.env.example'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const envPath = (): string => path.join(dir, 'deployment/.env');
const grafanaPath = (): string => path.join(dir, 'deployment/grafana.env');
const grafanaPassword = (): string | undefined => parseEnv(readFileSync(grafanaPath(), 'utf8')).GF_SECURITY_ADMIN_PASSWORD;

function deploy(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync('bash', [path.join(dir, 'deploy.sh'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, JARVIS_LETSENCRYPT_DIR: path.join(dir, 'letsencrypt') },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const DOCKER = ['--docker', '--domain', 'jarvis.example.org', '--email', 'admin@example.org', '--dry-run'];

test('a first run writes deployment/.env with mode 600 and strong, distinct secrets', () => {
  const r = deploy(...DOCKER);
  assert.equal(r.code, 0, r.err);
  assert.equal(statSync(envPath()).mode & 0o777, 0o600);
  const env = parseEnv(readFileSync(envPath(), 'utf8'));
  assert.ok(env.JARVIS_JWT_SECRET!.length >= 64);
  const keys = [env.JARVIS_API_KEY_1, env.JARVIS_API_KEY_2, env.JARVIS_ADMIN_KEY, grafanaPassword()];
  for (const k of keys) assert.match(k!, /^[A-Za-z0-9_-]{64}$/);
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(env.JARVIS_DOMAIN, 'jarvis.example.org');
  assert.equal(env.JARVIS_TRUSTED_HOSTS, 'jarvis.example.org');
  assert.equal(env.JARVIS_ALLOWED_ORIGINS, 'https://jarvis.example.org');
  assert.equal(env.JARVIS_ACME_EMAIL, 'admin@example.org');
});

test("the keys are printed once, as the seed shows them, and match the env file", () => {
  const r = deploy(...DOCKER);
  const env = parseEnv(readFileSync(envPath(), 'utf8'));
  assert.match(r.out, new RegExp(`^Production API Key: ${env.JARVIS_API_KEY_1}$`, 'm'));
  assert.match(r.out, new RegExp(`^Mobile API Key: ${env.JARVIS_API_KEY_2}$`, 'm'));
  assert.match(r.out, new RegExp(`^Admin Key: ${env.JARVIS_ADMIN_KEY}$`, 'm'));
  assert.ok(!r.out.includes(env.JARVIS_JWT_SECRET!), 'the JWT secret is not printed');
  assert.ok(!r.err.includes(env.JARVIS_API_KEY_1!), 'no key on stderr');
});

test("the API's own configuration parser accepts the generated file in production", () => {
  deploy(...DOCKER);
  const env = parseEnv(readFileSync(envPath(), 'utf8'));
  const config = loadConfig(env);
  assert.equal(config.nodeEnv, 'production');
  assert.deepEqual(config.auth.staticKeys.map((k) => k.id), ['env-1', 'env-2', 'admin']);
  assert.deepEqual(config.http.trustedHosts, ['jarvis.example.org']);
});

test('the certbot and compose steps are shown, not run, with --dry-run', () => {
  const r = deploy(...DOCKER);
  assert.match(r.out, /^\[dry-run\] certbot certonly --standalone --non-interactive --agree-tos -m admin@example\.org -d jarvis\.example\.org/m);
  assert.match(r.out, /^\[dry-run\] docker(-compose| compose) -f \S+docker-compose\.yml --env-file \S+deployment\/\.env up -d --build$/m);
  assert.ok(existsSync(path.join(dir, 'deployment/certbot/www')), 'the ACME webroot nginx serves');
  assert.equal(statSync(path.join(dir, 'deployment/certbot/www')).mode & 0o777, 0o755);
});

test("a first run writes Grafana's admin password to deployment/grafana.env, mode 600, never to deployment/.env or the output", () => {
  const r = deploy(...DOCKER);
  assert.equal(r.code, 0, r.err);
  assert.equal(statSync(grafanaPath()).mode & 0o777, 0o600);
  const password = grafanaPassword()!;
  assert.equal(readFileSync(grafanaPath(), 'utf8'), `GF_SECURITY_ADMIN_PASSWORD=${password}\n`, 'that variable only');
  assert.match(password, /^[A-Za-z0-9_-]{64}$/);
  const env = readFileSync(envPath(), 'utf8');
  assert.doesNotMatch(env, /GRAFANA_ADMIN_PASSWORD|GF_SECURITY_ADMIN_PASSWORD/);
  assert.ok(!env.includes(password), 'not in the file the API receives');
  assert.ok(!r.out.includes(password) && !r.err.includes(password), 'not printed');
  assert.match(r.out, /Generated Grafana's admin password \(in \S+deployment\/grafana\.env, mode 600\)/);
});

test('without --docker no Grafana file is written (there is no Grafana to log into)', () => {
  const r = deploy('--dry-run');
  assert.equal(r.code, 0, r.err);
  assert.ok(!existsSync(grafanaPath()));
});

/** Runs deploy.sh --docker once more and checks it left both env files exactly as they were. */
function rerunChangesNothing(): { code: number; out: string; err: string } {
  const env = readFileSync(envPath(), 'utf8');
  const grafana = readFileSync(grafanaPath(), 'utf8');
  const r = deploy(...DOCKER);
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(envPath(), 'utf8'), env);
  assert.equal(readFileSync(grafanaPath(), 'utf8'), grafana);
  return r;
}

test('a second run changes nothing and shows no key', () => {
  deploy(...DOCKER);
  const r = rerunChangesNothing();
  assert.doesNotMatch(r.out, /API Key:|Admin Key:/);
  assert.match(r.out, /Keys already exist/);
});

test('values already set are kept; only the missing ones are generated', () => {
  const mine = 'k'.repeat(8) + 'Q2x9vR7tZp4mN8bW1cL6dF3hJ5sY0aE';
  const example = readFileSync(path.join(dir, 'deployment/.env.example'), 'utf8').replace(/^JARVIS_API_KEY_1=$/m, `JARVIS_API_KEY_1=${mine}`);
  writeFileSync(envPath(), example, { mode: 0o600 });
  const r = deploy(...DOCKER);
  assert.equal(r.code, 0, r.err);
  const env = parseEnv(readFileSync(envPath(), 'utf8'));
  assert.equal(env.JARVIS_API_KEY_1, mine);
  assert.doesNotMatch(r.out, /Production API Key/);
  assert.match(r.out, /Mobile API Key: /);
});

const WEAK: readonly [string, RegExp][] = [
  ['JARVIS_JWT_SECRET=too-short', /JARVIS_JWT_SECRET/],
  ['JARVIS_JWT_SECRET=your-jwt-secret-64-chars-minimum-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', /JARVIS_JWT_SECRET/],
  ['JARVIS_ADMIN_KEY=changeme-changeme-changeme-changeme', /JARVIS_ADMIN_KEY/],
  ['NODE_ENV=development', /NODE_ENV must be production/],
];

for (const [line, expected] of WEAK) {
  test(`a weak setting is refused: ${line.split('=')[0]}=${line.split('=')[1]!.slice(0, 12)}…`, () => {
    const name = line.split('=')[0]!;
    const example = readFileSync(path.join(dir, 'deployment/.env.example'), 'utf8').replace(new RegExp(`^${name}=.*$`, 'm'), line);
    writeFileSync(envPath(), example, { mode: 0o600 });
    const r = deploy(...DOCKER);
    assert.notEqual(r.code, 0);
    assert.match(r.err, expected);
    assert.match(r.err, /refusing to deploy/);
    assert.doesNotMatch(r.out, /\[dry-run\] docker/, 'nothing started');
  });
}

/** deployment/.env as an older deploy.sh left it: everything set, Grafana's password among the API's secrets. */
const LEGACY_PASSWORD = 'legacy-Grafana-pw_4fT9qLx2Wn7Rb0Kc8Zd3Vs6Hm';
const LEGACY_LINES = `# Grafana's admin password (deploy.sh generates one). Default: unset.\nGRAFANA_ADMIN_PASSWORD=${LEGACY_PASSWORD}\n`;
function legacyDeployment(): string {
  deploy(...DOCKER);
  rmSync(grafanaPath());
  const current = readFileSync(envPath(), 'utf8');
  writeFileSync(envPath(), current + LEGACY_LINES, { mode: 0o600 });
  return current;
}

test('an older env file that holds GRAFANA_ADMIN_PASSWORD is migrated: the same password moves to grafana.env and leaves .env', () => {
  const rest = legacyDeployment();
  const r = deploy(...DOCKER);
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(grafanaPath(), 'utf8'), `GF_SECURITY_ADMIN_PASSWORD=${LEGACY_PASSWORD}\n`, 'the same password, so the login keeps working');
  assert.equal(statSync(grafanaPath()).mode & 0o777, 0o600);
  assert.equal(readFileSync(envPath(), 'utf8'), rest, 'the line and its comment are gone, everything else is kept');
  assert.equal(statSync(envPath()).mode & 0o777, 0o600);
  assert.match(r.out, /Moved GRAFANA_ADMIN_PASSWORD from \S+deployment\/\.env to \S+deployment\/grafana\.env/);
  assert.ok(!r.out.includes(LEGACY_PASSWORD) && !r.err.includes(LEGACY_PASSWORD), 'not printed');
});

test('the migration moves a quoted password verbatim, so Compose hands Grafana the same value as before', () => {
  // Compose reads a '#' inside double quotes, and escapes, as part of the value: stripping the
  // quotes would hand Grafana "pw with" instead.
  const quoted = '"pw with # hash \\"inner\\" abcdefghijklmnop" # the old comment';
  deploy(...DOCKER);
  rmSync(grafanaPath());
  writeFileSync(envPath(), `${readFileSync(envPath(), 'utf8')}GRAFANA_ADMIN_PASSWORD=${quoted}\n`, { mode: 0o600 });
  const r = deploy(...DOCKER);
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(grafanaPath(), 'utf8'), `GF_SECURITY_ADMIN_PASSWORD=${quoted}\n`);
  assert.ok(!readFileSync(envPath(), 'utf8').includes('GRAFANA_ADMIN_PASSWORD'));
});

test('after the migration a second run changes neither file and reports no move', () => {
  legacyDeployment();
  deploy(...DOCKER);
  const r = rerunChangesNothing();
  assert.doesNotMatch(r.out, /Moved|Generated Grafana/);
});

test('--check-only refuses an env file that still holds GRAFANA_ADMIN_PASSWORD, and moves nothing', () => {
  legacyDeployment();
  const before = readFileSync(envPath(), 'utf8');
  const r = deploy('--check-only', ...DOCKER);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /GRAFANA_ADMIN_PASSWORD is still in \S+deployment\/\.env, which the API receives/);
  assert.equal(readFileSync(envPath(), 'utf8'), before);
  assert.ok(!existsSync(grafanaPath()));
});

test('a legacy password that differs from the one in grafana.env is refused, and neither file changes', () => {
  legacyDeployment();
  writeFileSync(grafanaPath(), 'GF_SECURITY_ADMIN_PASSWORD=another-Grafana-pw_Lm3Qz8Rt1Xv5Nb7Kd2Wc\n', { mode: 0o600 });
  const env = readFileSync(envPath(), 'utf8');
  const grafana = readFileSync(grafanaPath(), 'utf8');
  const r = deploy(...DOCKER);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /differs from GF_SECURITY_ADMIN_PASSWORD/);
  assert.equal(readFileSync(envPath(), 'utf8'), env);
  assert.equal(readFileSync(grafanaPath(), 'utf8'), grafana);
  assert.doesNotMatch(r.out, /\[dry-run\] docker/, 'nothing started');
});

const WEAK_GRAFANA: readonly [string, string][] = [
  ['too short', 'GF_SECURITY_ADMIN_PASSWORD=short-pw'],
  ['a placeholder', 'GF_SECURITY_ADMIN_PASSWORD=changeme-changeme-changeme-changeme'],
];

for (const [what, line] of WEAK_GRAFANA) {
  test(`a weak Grafana admin password is refused: ${what}`, () => {
    deploy(...DOCKER);
    writeFileSync(grafanaPath(), line + '\n', { mode: 0o600 });
    const r = deploy(...DOCKER);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /GF_SECURITY_ADMIN_PASSWORD \(Grafana's admin password\) in \S+deployment\/grafana\.env is missing or weak/);
    assert.match(r.err, /refusing to deploy/);
    assert.doesNotMatch(r.out, /\[dry-run\] docker/, 'nothing started');
  });
}

test('a missing Grafana admin password fails the check: no grafana.env, or an empty value', () => {
  deploy(...DOCKER);
  rmSync(grafanaPath());
  const absent = deploy('--check-only', ...DOCKER);
  assert.notEqual(absent.code, 0);
  assert.match(absent.err, /grafana\.env \(Grafana's admin password\) does not exist yet/);
  writeFileSync(grafanaPath(), 'GF_SECURITY_ADMIN_PASSWORD=\n', { mode: 0o600 });
  const empty = deploy('--check-only', ...DOCKER);
  assert.notEqual(empty.code, 0);
  assert.match(empty.err, /GF_SECURITY_ADMIN_PASSWORD \(Grafana's admin password\) in \S+ is missing or weak/);
});

test('a grafana.env readable by others is refused', () => {
  deploy(...DOCKER);
  chmodSync(grafanaPath(), 0o644);
  const r = deploy(...DOCKER);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /grafana\.env is readable by others/);
});

test('the files deploy.sh writes secrets to are ignored by git and outside the image build allow-list', () => {
  const ignored = readFileSync(path.join(root, '.gitignore'), 'utf8').split('\n');
  const allowed = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
  assert.equal(allowed.find((l) => l && !l.startsWith('#')), '*', 'the build context starts from nothing');
  for (const file of ['deployment/.env', 'deployment/grafana.env']) {
    assert.ok(ignored.includes(file), `.gitignore: ${file}`);
    assert.ok(!allowed.some((l) => l.startsWith('!') && file.startsWith(l.slice(1).replace(/\/$/, ''))), `the .dockerignore admits ${file}`);
  }
});

test('an env file readable by others is refused', () => {
  deploy(...DOCKER);
  chmodSync(envPath(), 0o644);
  const r = deploy(...DOCKER);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /readable by others/);
});

test('another domain than the one configured is refused, not silently switched', () => {
  deploy(...DOCKER);
  const before = readFileSync(envPath(), 'utf8');
  const r = deploy('--docker', '--domain', 'other.example.org', '--email', 'admin@example.org', '--dry-run');
  assert.notEqual(r.code, 0);
  assert.match(r.err, /already has JARVIS_DOMAIN=jarvis\.example\.org/);
  assert.equal(readFileSync(envPath(), 'utf8'), before);
});

test('a malformed domain or e-mail is refused before anything is written', () => {
  for (const args of [['--domain', 'not a domain'], ['--domain', 'x.example.org', '--email', 'nobody']]) {
    const r = deploy('--docker', ...args, '--dry-run');
    assert.notEqual(r.code, 0);
    assert.ok(!existsSync(envPath()), `${args.join(' ')}: nothing written`);
  }
});

test('--check-only reports and changes nothing', () => {
  const fresh = deploy('--check-only');
  assert.ok(!existsSync(envPath()));
  assert.match(fresh.out, /not created yet/);
  deploy(...DOCKER);
  const before = readFileSync(envPath(), 'utf8');
  const r = deploy('--check-only');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Check passed/);
  assert.equal(readFileSync(envPath(), 'utf8'), before);
});

test('an existing certificate is used: certbot is not called again', () => {
  const live = path.join(dir, 'letsencrypt/live/jarvis.example.org');
  mkdirSync(live, { recursive: true });
  writeFileSync(path.join(live, 'fullchain.pem'), 'not checked here\n');
  const r = deploy(...DOCKER);
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.out, /certbot certonly/);
  assert.match(r.out, /Certificate for jarvis\.example\.org: present/);
});

test('without --docker it prepares the env file and prints the manual steps', () => {
  const r = deploy('--dry-run');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /systemctl enable --now jarvis-api\b/);
  assert.match(r.out, /Production API Key: /);
});

test('--help describes the options', () => {
  const r = deploy('--help');
  assert.equal(r.code, 0);
  for (const flag of ['--docker', '--domain', '--email', '--check-only', '--env-file', '--dry-run']) assert.ok(r.out.includes(flag), flag);
});
