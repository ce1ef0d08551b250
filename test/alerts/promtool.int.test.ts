/**
 * promtool from Debian's prometheus package (scripts/prometheus/install.sh, run by
 * scripts/test-setup.d/prometheus.sh) checks the rule files and runs their unit tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ALERTS_DIR, ALERT_TESTS_DIR } from '../support/alerts-rules.ts';

function promtool(args: string[]): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { cwd: ALERTS_DIR, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw new Error(`promtool is not installed: run bash scripts/prometheus/install.sh (${r.error.message})`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const ruleFiles = readdirSync(ALERTS_DIR).filter((f) => f.endsWith('.yaml')).sort();
const testFiles = readdirSync(ALERT_TESTS_DIR).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join('tests', f));

test('promtool is the Debian-packaged Prometheus 2.x', () => {
  const version = execFileSync('promtool', ['--version'], { encoding: 'utf8' });
  assert.match(version, /promtool, version 2\./);
});

test('promtool check rules accepts every rule file', () => {
  assert.ok(ruleFiles.length >= 5, ruleFiles.join(', '));
  const { status, output } = promtool(['check', 'rules', ...ruleFiles]);
  assert.equal(status, 0, output);
  assert.doesNotMatch(output, /FAILED|WARNING/, output);
});

test('promtool test rules passes every alert unit test', () => {
  assert.ok(testFiles.length >= 5, testFiles.join(', '));
  const { status, output } = promtool(['test', 'rules', ...testFiles]);
  assert.equal(status, 0, output);
  assert.equal(output.match(/SUCCESS/g)?.length, testFiles.length, output);
});
