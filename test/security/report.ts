/**
 * The report: one line per check while the run goes, the closing `N passed, N failed, N skipped`
 * line, and the JSON document for --json.
 */
import type { CheckResult } from './harness.ts';

export interface Report {
  readonly target: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly requests: number;
  readonly rateLimitWaitMs: number;
  readonly results: readonly CheckResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** Counts outcomes. */
export function tally(results: readonly CheckResult[]): { passed: number; failed: number; skipped: number } {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const r of results) {
    if (r.outcome === 'passed') passed++;
    else if (r.outcome === 'failed') failed++;
    else skipped++;
  }
  return { passed, failed, skipped };
}

/** The closing line, exactly `N passed, N failed, N skipped`. */
export function summaryLine(counts: { passed: number; failed: number; skipped: number }): string {
  return `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
}

/** One report line for a check (and its reason or notes, indented). */
export function formatResult(r: CheckResult, verbose = false): string {
  const mark = r.outcome === 'passed' ? 'ok  ' : r.outcome === 'failed' ? 'FAIL' : 'skip';
  const lines = [`${mark} ${r.group} › ${r.name} (${r.durationMs} ms)`];
  if (r.reason) lines.push(`       ${r.outcome === 'skipped' ? 'skipped: ' : ''}${r.reason.replace(/\n/g, '\n       ')}`);
  if (r.notes && (verbose || r.outcome === 'failed')) for (const n of r.notes) lines.push(`       note: ${n}`);
  return lines.join('\n');
}

/** The exit code: non-zero on any failure, or when nothing at all passed. */
export function exitCode(counts: { passed: number; failed: number }): number {
  return counts.failed > 0 || counts.passed === 0 ? 1 : 0;
}
