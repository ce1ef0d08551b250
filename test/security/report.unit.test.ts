/** The report's closing line and exit code, which CI parses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitCode, formatResult, summaryLine, tally } from './report.ts';
import type { CheckResult } from './harness.ts';

const r = (outcome: CheckResult['outcome'], reason?: string): CheckResult => ({ group: 'g', name: 'a check', outcome, durationMs: 3, ...(reason ? { reason } : {}) });

test('the closing line reads exactly "N passed, N failed, N skipped"', () => {
  const counts = tally([r('passed'), r('passed'), r('failed', 'x'), r('skipped', 'y')]);
  assert.equal(summaryLine(counts), '2 passed, 1 failed, 1 skipped');
  assert.match(summaryLine(counts), /^\d+ passed, \d+ failed, \d+ skipped$/);
});

test('any failure, or nothing passing at all, exits non-zero', () => {
  assert.equal(exitCode({ passed: 10, failed: 0 }), 0);
  assert.equal(exitCode({ passed: 10, failed: 1 }), 1);
  assert.equal(exitCode({ passed: 0, failed: 0 }), 1);
});

test('a failed check shows its reason indented under it', () => {
  assert.equal(formatResult(r('failed', 'expected 401\ngot 200')), 'FAIL g › a check (3 ms)\n       expected 401\n       got 200');
  assert.equal(formatResult(r('skipped', 'needs JARVIS_ADMIN_KEY')), 'skip g › a check (3 ms)\n       skipped: needs JARVIS_ADMIN_KEY');
});
