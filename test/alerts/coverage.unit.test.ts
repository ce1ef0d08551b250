/**
 * The rules as a product: every alert is complete (severity, summary, description, runbook
 * section) and has a promtool unit test that shows it silent one evaluation before its `for`
 * elapses and firing at the edge. promtool itself runs in promtool.int.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { METRIC } from '../../src/telemetry/names.ts';
import { ALERTS_DIR, alertRules, alertsWithoutEdgeTest, durationSeconds, recordingRules, testFiles, type AlertTestCase, type TestFile } from '../support/alerts-rules.ts';

const SEVERITIES = new Set(['critical', 'warning', 'info']);

test('every alert is Jarvis-named, has a for, a severity, a fixed summary, a templated description and a runbook link', () => {
  const alerts = alertRules();
  assert.ok(alerts.length >= 12, `found ${alerts.length} alerts`);
  const names = new Set<string>();
  for (const a of alerts) {
    assert.match(a.alert, /^Jarvis[A-Z][A-Za-z]+$/, a.alert);
    assert.ok(!names.has(a.alert), `${a.alert} defined once`);
    names.add(a.alert);
    assert.ok(a.for && durationSeconds(a.for) > 0, `${a.alert} has a for`);
    assert.ok(SEVERITIES.has(a.labels?.severity ?? ''), `${a.alert} severity`);
    const { summary, description, runbook_url: runbook } = a.annotations ?? {};
    assert.ok(summary && !summary.includes('{{'), `${a.alert} has a fixed summary`);
    assert.ok(description?.includes('{{'), `${a.alert} has a templated description`);
    assert.equal(runbook, `alerts/RUNBOOK.md#${a.alert.toLowerCase()}`, `${a.alert} runbook_url`);
  }
});

test('the runbook has a section per alert with meaning, impact, diagnosis and mitigation', () => {
  const runbook = readFileSync(path.join(ALERTS_DIR, 'RUNBOOK.md'), 'utf8');
  const sections = runbook.split(/^## /m).slice(1);
  const byName = new Map(sections.map((s) => [s.split('\n')[0]?.trim() ?? '', s]));
  for (const a of alertRules()) {
    const section = byName.get(a.alert);
    assert.ok(section, `RUNBOOK.md has "## ${a.alert}"`);
    for (const part of ['Meaning', 'Impact', 'Diagnosis', 'Mitigation']) assert.match(section, new RegExp(`\\*\\*${part}\\*\\*`), `${a.alert}: ${part}`);
  }
});

test('every alert has a promtool test: silent one evaluation before the for edge, firing at it', () => {
  assert.deepEqual(alertsWithoutEdgeTest(alertRules(), testFiles()), []);
});

test('the edge check catches an alert whose test misses the silent step or the for edge', () => {
  const alert = { alert: 'JarvisX', file: '/x/a.yaml', expr: 'up == 0', for: '5m', labels: { severity: 'warning' } };
  const firing = { exp_labels: { severity: 'warning' }, exp_annotations: { description: 'd' } };
  const file = (cases: AlertTestCase[], evaluation_interval = '1m'): TestFile => ({ file: 't.yaml', rule_files: ['../a.yaml'], evaluation_interval, tests: [{ alert_rule_test: cases }] });
  const ok = [{ eval_time: '4m', alertname: 'JarvisX', exp_alerts: [] }, { eval_time: '5m', alertname: 'JarvisX', exp_alerts: [firing] }];
  assert.deepEqual(alertsWithoutEdgeTest([alert], [file(ok)]), []);
  const cases: Array<[string, TestFile[]]> = [
    ['no test at all', []],
    ['only firing', [file([ok[1] as AlertTestCase])]],
    ['silent two steps before', [file([{ eval_time: '3m', alertname: 'JarvisX', exp_alerts: [] }, ok[1] as AlertTestCase])]],
    ['severity not asserted', [file([ok[0] as AlertTestCase, { eval_time: '5m', alertname: 'JarvisX', exp_alerts: [{ exp_labels: {} }] }])]],
    ['another rule file', [{ ...file(ok), rule_files: ['../b.yaml'] }]],
    ['for shorter than a step', [file(ok, '10m')]],
  ];
  for (const [why, files] of cases) assert.deepEqual(alertsWithoutEdgeTest([alert], files), ['JarvisX'], why);
});

test('recording rules are named level:metric:operation', () => {
  for (const r of recordingRules()) assert.match(r.record, /^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/, r.record);
});

test('the latency objective uses one selector in every window', () => {
  const slo = recordingRules().filter((r) => r.group === 'jarvis-http-slo.rules');
  const selectors = new Set(slo.flatMap((r) => [...r.expr.matchAll(/jarvis_http_request_duration_seconds_(?:count|bucket)\{([^}]*)\}/g)].map((m) => (m[1] ?? '').replace(/,le="[^"]*"/, ''))));
  assert.equal(selectors.size, 1, [...selectors].join('\n'));
  const windows = slo.map((r) => r.record.split(':')[2]);
  for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d']) {
    assert.ok(windows.includes(`rate${w}`), `requests over ${w}`);
    assert.ok(windows.includes(`ratio_rate${w}`), `slow ratio over ${w}`);
  }
});

test('rules only use metrics Jarvis exposes (names.ts), recording rules, or up', () => {
  const known = new Set<string>([...Object.values(METRIC), 'up']);
  const recorded = new Set(recordingRules().map((r) => r.record));
  const exprs = [...alertRules(), ...recordingRules()].map((r) => r.expr);
  for (const expr of exprs) {
    const withoutRecorded = expr.replace(/\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b/g, '');
    for (const [name] of withoutRecorded.matchAll(/\bjarvis_[a-z0-9_]+/g)) {
      const base = name.replace(/_(bucket|count|sum)$/, '');
      assert.ok(known.has(name) || known.has(base), `${name} in ${expr.slice(0, 80)}`);
    }
    for (const [name] of expr.matchAll(/\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b/g)) assert.ok(recorded.has(name), `recording rule ${name} exists`);
  }
});
