/**
 * Reads the alert rule files (alerts/*.yaml) and their promtool tests (alerts/tests/*.yaml)
 * for the checks in test/alerts and the real-Prometheus test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const ALERTS_DIR = path.resolve(import.meta.dirname, '../../alerts');
export const ALERT_TESTS_DIR = path.join(ALERTS_DIR, 'tests');

export interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface RuleFile {
  readonly file: string;
  readonly groups: ReadonlyArray<{ readonly name: string; readonly rules: readonly Rule[] }>;
}

export interface AlertTestCase {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts?: ReadonlyArray<{ exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }>;
}

export interface TestFile {
  readonly file: string;
  readonly rule_files: readonly string[];
  readonly evaluation_interval?: string;
  readonly tests: ReadonlyArray<{ readonly name?: string; readonly interval?: string; readonly alert_rule_test?: readonly AlertTestCase[] }>;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Every rule file under alerts/ (not the tests). */
export function ruleFiles(): RuleFile[] {
  return yamlFiles(ALERTS_DIR).map((file) => ({ file, ...(parse(readFileSync(file, 'utf8')) as Omit<RuleFile, 'file'>) }));
}

/** Every promtool test file under alerts/tests/. */
export function testFiles(): TestFile[] {
  return yamlFiles(ALERT_TESTS_DIR).map((file) => ({ file, ...(parse(readFileSync(file, 'utf8')) as Omit<TestFile, 'file'>) }));
}

/** Every alerting rule with the file it lives in. */
export function alertRules(): Array<Rule & { alert: string; file: string }> {
  return ruleFiles().flatMap((f) => f.groups.flatMap((g) => g.rules.filter((r): r is Rule & { alert: string } => typeof r.alert === 'string').map((r) => ({ ...r, file: f.file }))));
}

/** Every recording rule. */
export function recordingRules(): Array<Rule & { record: string; group: string }> {
  return ruleFiles().flatMap((f) => f.groups.flatMap((g) => g.rules.filter((r): r is Rule & { record: string } => typeof r.record === 'string').map((r) => ({ ...r, group: g.name }))));
}

/** Prometheus duration (`1h1m`, `90s`, `5m`) in seconds. */
export function durationSeconds(d: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  let rest = d.trim();
  const re = /^(\d+)(ms|s|m|h|d|w|y)/;
  if (!rest) throw new TypeError('empty duration');
  while (rest) {
    const m = re.exec(rest);
    if (!m) throw new TypeError(`bad duration ${d}`);
    total += Number(m[1]) * (units[m[2] as string] as number);
    rest = rest.slice(m[0].length);
  }
  return total;
}

/**
 * Alerts without a promtool test that shows them silent at t - step and firing at t (with
 * `for` ≥ step, which makes that pair the pending → firing edge), severity and description
 * asserted. Returns their names.
 */
export function alertsWithoutEdgeTest(alerts: ReadonlyArray<Rule & { alert: string; file: string }>, files: readonly TestFile[]): string[] {
  const missing: string[] = [];
  for (const a of alerts) {
    const ruleFile = path.basename(a.file);
    let proven = false;
    for (const f of files.filter((t) => t.rule_files.some((r) => path.basename(r) === ruleFile))) {
      const step = durationSeconds(f.evaluation_interval ?? '1m');
      if (durationSeconds(a.for ?? '0s') < step) continue;
      for (const t of f.tests) {
        const cases = (t.alert_rule_test ?? []).filter((c) => c.alertname === a.alert);
        for (const fire of cases.filter((c) => (c.exp_alerts ?? []).length > 0)) {
          const at = durationSeconds(fire.eval_time);
          const silentBefore = cases.some((c) => (c.exp_alerts ?? []).length === 0 && durationSeconds(c.eval_time) === at - step);
          const asserted = (fire.exp_alerts ?? []).every((e) => e.exp_labels?.severity === a.labels?.severity && e.exp_annotations?.description !== undefined);
          if (silentBefore && asserted) proven = true;
        }
      }
    }
    if (!proven) missing.push(a.alert);
  }
  return missing;
}
