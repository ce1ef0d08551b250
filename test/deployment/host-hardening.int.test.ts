/**
 * Host hardening, checked with the real tools: systemd's own verifier and its offline security
 * score for the units, ufw's parser (`ufw --dry-run`, nothing applied) for each firewall rule,
 * and logrotate rotating a log that a process keeps writing to. Tools come from
 * scripts/deployment/install-tools.sh (systemd-analyze ships with Debian).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const units = ['jarvis-api.service', 'jarvis-projector.service'].map((u) => path.join(root, 'deployment/systemd', u));

function sh(cmd: string, args: string[], timeout = 60_000): { code: number; out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout });
  return { code: r.status ?? -1, out: r.stdout ?? '', err: r.stderr ?? '' };
}

/** `Key=value` settings of a unit file (continuation lines joined). */
function settings(file: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of readFileSync(file, 'utf8').replace(/\\\n/g, ' ').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!.trim()]);
  }
  return out;
}

test('systemd-analyze verify accepts both units without a single warning', () => {
  const r = sh('systemd-analyze', ['verify', ...units]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err.trim(), '', 'unknown keys and bad values are only warnings: none allowed');
});

test("systemd's offline security score rates both units at most 2.0 (\"OK\")", () => {
  for (const unit of units) {
    const r = sh('systemd-analyze', ['security', '--offline=true', '--threshold=20', unit]);
    const level = /Overall exposure level for \S+: ([\d.]+)/.exec(r.out)?.[1];
    assert.equal(r.code, 0, `${path.basename(unit)}: exposure ${level}\n${r.err}`);
    assert.ok(level !== undefined && Number(level) <= 2.0, `${path.basename(unit)}: ${level}`);
  }
});

test('the units run as a dedicated user in a sandbox, writing only under /var/lib/jarvis', () => {
  const dataDirs = new Set<string>();
  for (const unit of units) {
    const s = settings(unit);
    const one = (k: string): string | undefined => s.get(k)?.at(-1);
    assert.equal(one('User'), 'jarvis');
    assert.equal(one('NoNewPrivileges'), 'yes');
    assert.equal(one('ProtectSystem'), 'strict');
    assert.equal(one('ProtectHome'), 'yes');
    assert.equal(one('PrivateTmp'), 'yes');
    assert.equal(one('CapabilityBoundingSet'), '');
    assert.equal(one('ReadWritePaths'), '/var/lib/jarvis');
    assert.equal(one('EnvironmentFile'), '/etc/jarvis/jarvis.env');
    const dir = /JARVIS_DATA_DIR=(\S+)/.exec(one('ExecStart') ?? '')?.[1];
    assert.ok(dir?.startsWith('/var/lib/jarvis/'), `${unit}: ${dir}`);
    dataDirs.add(dir!);
  }
  assert.equal(dataDirs.size, units.length, 'two processes, two data directories');
  assert.match(settings(units[0]!).get('ExecStart')![0]!, /JARVIS_HOST=127\.0\.0\.1 JARVIS_TRUSTED_PROXIES=127\.0\.0\.1/);
});

test('the units start what npm start and npm run projector start, compiled', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const start = readFileSync(path.join(root, 'scripts/start.mjs'), 'utf8');
  assert.match(start, /src\/telemetry\/preload\.ts/);
  assert.match(start, /src\/cli\/serve\.ts/);
  assert.match(settings(units[0]!).get('ExecStart')![0]!, /--import \.\/dist\/src\/telemetry\/preload\.js dist\/src\/cli\/serve\.js$/);
  assert.match(pkg.scripts.projector!, /src\/projector\/main\.ts/);
  assert.match(settings(units[1]!).get('ExecStart')![0]!, /dist\/src\/projector\/main\.js$/);
});

test("the firewall script applies the seed's rules, in order, each accepted by ufw's parser", () => {
  const r = sh('bash', [path.join(root, 'deployment/firewall/ufw.sh'), '--dry-run']);
  assert.equal(r.code, 0, r.err);
  const rules = r.out.trim().split('\n');
  assert.deepEqual(rules.map((l) => l.replace(/ comment .*/, '')), [
    'ufw default deny incoming',
    'ufw default allow outgoing',
    'ufw limit 22/tcp',
    'ufw allow 80/tcp',
    'ufw allow 443/tcp',
    'ufw --force enable',
    'ufw status verbose',
  ]);
  for (const rule of rules.slice(0, 5)) {
    const args = rule.replace(/^ufw /, '').replace(/ comment (.*)$/, '').split(' ');
    const check = sh('ufw', ['--dry-run', ...args]);
    assert.equal(check.code, 0, `${rule}: ${check.err}`);
  }
});

test('the emergency block goes first and accepts only an address or a CIDR', () => {
  for (const ok of ['203.0.113.7', '198.51.100.0/24', '2001:db8::/32']) {
    const r = sh('bash', [path.join(root, 'deployment/firewall/ufw.sh'), '--dry-run', '--block', ok]);
    assert.equal(r.out.trim(), `ufw insert 1 deny from ${ok}`);
    assert.equal(sh('ufw', ['--dry-run', 'deny', 'from', ok]).code, 0, ok);
  }
  for (const bad of ['1.2.3.4; ufw disable', 'any', '10.0.0.0/33', '']) {
    const r = sh('bash', [path.join(root, 'deployment/firewall/ufw.sh'), '--dry-run', '--block', bad]);
    assert.notEqual(r.code, 0, bad);
    assert.equal(r.out, '', `${bad}: nothing run`);
  }
});

test('logrotate rotates a log that the service keeps writing to, without losing a line', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'jarvis-logrotate-'));
  try {
    chmodSync(dir, 0o755);
    const log = path.join(dir, 'api.log');
    // The real configuration, pointed at the temporary directory (and root instead of jarvis for su).
    const conf = readFileSync(path.join(root, 'deployment/logrotate/jarvis'), 'utf8')
      .replace('/var/log/jarvis/*.log', path.join(dir, '*.log'))
      .replace('su jarvis jarvis', 'su root root');
    writeFileSync(path.join(dir, 'conf'), conf);
    const fd = openSync(log, 'a'); // like systemd's StandardOutput=append:
    const rotate = (): void => {
      const r = sh('/usr/sbin/logrotate', ['-f', '-s', path.join(dir, 'state'), path.join(dir, 'conf')]);
      assert.equal(r.code, 0, r.err);
    };
    writeSync(fd, '{"n":1,"msg":"SECURITY_EVENT before"}\n');
    rotate();
    writeSync(fd, '{"n":2,"msg":"after the first rotation"}\n');
    assert.equal(readFileSync(log, 'utf8'), '{"n":2,"msg":"after the first rotation"}\n', 'truncated in place, no hole of zeros');
    const first = readdirSync(dir).filter((f) => /^api\.log-\d{8}-\d+$/.test(f));
    assert.equal(first.length, 1);
    assert.match(readFileSync(path.join(dir, first[0]!), 'utf8'), /SECURITY_EVENT before/);
    // dateext names are per second: wait one so the second rotation gets its own name.
    spawnSync('sleep', ['1.1']);
    rotate();
    closeSync(fd);
    const files = readdirSync(dir).sort();
    assert.ok(files.includes(`${first[0]}.gz`), `the older one is compressed (delaycompress): ${files.join(' ')}`);
    assert.equal(files.filter((f) => /^api\.log-\d{8}-\d+$/.test(f)).length, 1, 'the newest stays plain');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
