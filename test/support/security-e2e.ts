/** Runs groups of the black-box security suite against a local instance and fails the test on any failed check. */
import assert from 'node:assert/strict';
import { suiteOptions, type GroupName, type SuiteKeys } from '../security/options.ts';
import { formatResult, summaryLine } from '../security/report.ts';
import { runSuite } from '../security/suite.ts';

/** The origin local test instances list in JARVIS_ALLOWED_ORIGINS. */
export const ALLOWED_ORIGIN = 'https://app.example.test';

export interface SuiteTarget {
  readonly url: URL;
  readonly keys: SuiteKeys;
  readonly jwtSecret: string;
}

export async function runSuiteAndAssert(t: SuiteTarget, groups: readonly GroupName[]): Promise<void> {
  const report = await runSuite(suiteOptions({
    url: t.url,
    keys: t.keys,
    groups,
    allowedOrigin: ALLOWED_ORIGIN,
    untrustedHostExpected: true,
    jwtSecret: t.jwtSecret,
    maxRateLimitWaitS: 30,
  }), () => {});
  const failed = report.results.filter((r) => r.outcome === 'failed').map((r) => formatResult(r));
  const skipped = report.results.filter((r) => r.outcome === 'skipped').map((r) => `${r.group} › ${r.name}: ${r.reason}`);
  if (skipped.length) console.log(`skipped:\n${skipped.join('\n')}`);
  assert.equal(report.failed, 0, `${summaryLine(report)}\n${failed.join('\n')}`);
  assert.ok(report.passed > 0, 'nothing passed');
}
