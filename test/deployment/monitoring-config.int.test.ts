/**
 * The monitoring configuration the compose stack mounts, checked by the real tools: promtool
 * loads deployment/prometheus/prometheus.yml with the rules of alerts/, amtool checks
 * Alertmanager's file and routes every severity those rules use, and Grafana's data sources
 * match the uids the dashboards of dashboards/ select.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

test('the collector sends traces to Jaeger, and Prometheus loads every rule file of alerts/', () => {
  const otel = parse(readFileSync(path.join(root, 'deployment/otel-collector/config.yaml'), 'utf8')) as { exporters: Record<string, { endpoint: string }> };
  assert.equal(otel.exporters['otlp/jaeger']!.endpoint, 'jaeger:4317');
  const prom = parse(readFileSync(path.join(root, 'deployment/prometheus/prometheus.yml'), 'utf8')) as { rule_files: string[] };
  assert.deepEqual(prom.rule_files, ['/etc/prometheus/rules/*.yaml']);
});

test('promtool accepts the Prometheus configuration with the rules of alerts/ where the stack mounts them', async () => {
  // The same file, with /etc/prometheus/rules pointing at the repository's alerts/ (the bind mount).
  const dir = mkdtempSync(path.join(tmpdir(), 'jarvis-prom-'));
  try {
    const config = readFileSync(path.join(root, 'deployment/prometheus/prometheus.yml'), 'utf8').replaceAll('/etc/prometheus/rules', path.join(root, 'alerts'));
    writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const { stdout } = await run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], { timeout: 60_000 });
    const ruleFiles = readdirSync(path.join(root, 'alerts')).filter((n) => n.endsWith('.yaml'));
    assert.ok(ruleFiles.length > 0);
    assert.equal((stdout.match(/SUCCESS: \d+ rules found/g) ?? []).length, ruleFiles.length, stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('amtool accepts the Alertmanager configuration', async () => {
  const { stdout } = await run('amtool', ['check-config', path.join(root, 'deployment/alertmanager/alertmanager.yml')], { timeout: 30_000 });
  assert.match(stdout, /SUCCESS/);
});

test('every severity the rules in alerts/ use reaches a receiver of its own (amtool routes test)', async () => {
  const alertsDir = path.join(root, 'alerts');
  const severities = new Set<string>();
  for (const f of readdirSync(alertsDir).filter((n) => n.endsWith('.yaml'))) {
    for (const m of readFileSync(path.join(alertsDir, f), 'utf8').matchAll(/^\s+severity:\s*(\S+)/gm)) severities.add(m[1]!.replace(/['"]/g, ''));
  }
  assert.ok(severities.size > 0, 'alerts/ has rules with a severity');
  const expected: Record<string, string> = { critical: 'page', warning: 'ticket' };
  for (const severity of severities) {
    const { stdout } = await run('amtool', ['config', 'routes', 'test', `--config.file=${path.join(root, 'deployment/alertmanager/alertmanager.yml')}`, `severity=${severity}`, 'alertname=JarvisTest'], { timeout: 30_000 });
    assert.equal(stdout.trim(), expected[severity] ?? '(a known severity)', `severity=${severity}`);
  }
});

test('Grafana gets the Prometheus data source uid the dashboards select, at its address in the stack', () => {
  const ours = parse(readFileSync(path.join(root, 'deployment/grafana/datasources.yaml'), 'utf8')) as { datasources: { uid: string; url: string; type: string }[] };
  const theirs = parse(readFileSync(path.join(root, 'dashboards/provisioning/datasources.yaml'), 'utf8')) as { datasources: { uid: string; type: string }[] };
  for (const d of theirs.datasources) assert.ok(ours.datasources.some((o) => o.uid === d.uid && o.type === d.type), d.uid);
  assert.equal(ours.datasources.find((d) => d.uid === 'prometheus')!.url, 'http://prometheus:9090');
});
