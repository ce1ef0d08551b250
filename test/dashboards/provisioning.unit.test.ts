/** The Grafana provisioning files agree with the dashboards and the alert rules agree with the dashboard selectors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../dashboards/lib/outputs.ts';
import { JOB, SLO_EXCLUDED_ROUTES, SLO_LATENCY_SECONDS } from '../../dashboards/lib/selectors.ts';
import { BUCKETS } from '../../src/telemetry/metrics.ts';
import { alertRules, recordingRules } from '../support/alerts-rules.ts';

const yaml = (rel: string): unknown => parse(readFileSync(path.join(ROOT, rel), 'utf8'));

test('the provisioned Prometheus data source has the uid the dashboards default to', () => {
  const ds = yaml('dashboards/provisioning/datasources.yaml') as { apiVersion: number; datasources: Array<{ uid: string; type: string; isDefault: boolean }> };
  assert.equal(ds.apiVersion, 1);
  const prom = ds.datasources.find((d) => d.type === 'prometheus');
  assert.equal(prom?.uid, 'prometheus');
  const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'dashboards/generated/jarvis-api-overview.json'), 'utf8')) as { templating: { list: Array<{ name: string; current?: { value: string } }> } };
  assert.equal(dashboard.templating.list.find((v) => v.name === 'datasource')?.current?.value, prom?.uid);
});

test('the dashboard provider loads files and keeps the sources as the truth', () => {
  const p = yaml('dashboards/provisioning/dashboards.yaml') as { apiVersion: number; providers: Array<{ type: string; allowUiUpdates: boolean; options: { path: string } }> };
  assert.equal(p.apiVersion, 1);
  assert.equal(p.providers[0]?.type, 'file');
  assert.equal(p.providers[0]?.allowUiUpdates, false);
  assert.ok(p.providers[0]?.options.path);
});

test('alerts and dashboards select the same job and the same latency-objective scope', () => {
  for (const r of [...alertRules(), ...recordingRules()]) {
    for (const [, job] of r.expr.matchAll(/job="([^"]+)"/g)) assert.equal(job, JOB, r.expr.slice(0, 60));
  }
  const slo = recordingRules().filter((r) => r.group === 'jarvis-http-slo.rules' && r.expr.includes('route!~'));
  assert.ok(slo.length > 0);
  for (const r of slo) assert.ok(r.expr.includes(`route!~"${SLO_EXCLUDED_ROUTES}"`), r.record);
  for (const r of slo.filter((x) => x.expr.includes('le='))) assert.ok(r.expr.includes(`le="${SLO_LATENCY_SECONDS}"`), r.record);
  assert.ok((BUCKETS.http as readonly number[]).includes(SLO_LATENCY_SECONDS), 'the latency threshold is a bucket bound');
});
