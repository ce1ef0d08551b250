/**
 * ShellCheck (from scripts/deployment/install-tools.sh) on every shell script of the deployment:
 * these run as root on servers, where a quoting mistake is a security bug.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const inDir = (dir: string): string[] => readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.sh')).map((f) => path.join(dir, f));
const scripts = ['deploy.sh', ...inDir('deployment/firewall'), ...inDir('deployment/docker'), ...inDir('scripts/nginx'), ...inDir('scripts/deployment'), ...inDir('scripts/hadolint'), ...inDir('scripts/lib'), 'scripts/test-setup.d/nginx.sh'];

test('the deployment shell scripts pass ShellCheck', () => {
  const r = spawnSync('shellcheck', ['--severity=info', '--external-sources', ...scripts], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, 'run bash scripts/deployment/install-tools.sh');
  assert.equal(r.status, 0, r.stdout);
  assert.ok(scripts.length >= 7);
});
