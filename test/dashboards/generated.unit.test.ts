/**
 * Dashboards as code: the committed JSON and docs/observability.md match their sources, and
 * the dashboards are well-formed for Grafana (unique ids, a Prometheus data source, queries
 * over metrics Jarvis actually exposes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARDS } from '../../dashboards/index.ts';
import { buildDashboard } from '../../dashboards/lib/build.ts';
import { generatedFiles, ROOT } from '../../dashboards/lib/outputs.ts';
import { panelsOf } from '../../dashboards/lib/spec.ts';
import { METRIC } from '../../src/telemetry/names.ts';
import { recordingRules } from '../support/alerts-rules.ts';

const REGENERATE = 'out of date: run node --import tsx dashboards/generate.ts';

test('the committed dashboard JSON and docs/observability.md match what the sources generate', () => {
  for (const [rel, content] of generatedFiles()) {
    const committed = readFileSync(path.join(ROOT, rel), 'utf8');
    assert.ok(committed === content, `${rel} ${REGENERATE}`);
  }
});

test('no generated dashboard is left over from a removed source', () => {
  const expected = new Set([...generatedFiles().keys()].filter((f) => f.startsWith('dashboards/generated/')).map((f) => path.basename(f)));
  for (const f of readdirSync(path.join(ROOT, 'dashboards/generated'))) assert.ok(expected.has(f), `stale ${f}`);
});

test('the five dashboards the issue asks for exist, with unique uids', () => {
  const titles = DASHBOARDS.map((d) => d.title);
  for (const want of ['API overview', 'Security', 'Speech', 'Event pipeline', 'SLOs']) assert.ok(titles.some((t) => t.endsWith(want)), want);
  assert.equal(new Set(DASHBOARDS.map((d) => d.uid)).size, DASHBOARDS.length);
});

test('every panel has a unique id, a description, and queries on the datasource variable', () => {
  for (const spec of DASHBOARDS) {
    const d = buildDashboard(spec) as unknown as { panels: Array<{ id: number; type: string; title: string; description?: string; datasource?: { uid: string }; targets?: Array<{ expr: string; refId: string; datasource?: { uid: string } }> }> };
    const ids = d.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${spec.uid}: unique panel ids`);
    for (const p of d.panels.filter((x) => x.type !== 'row')) {
      assert.ok(p.description && p.description.length > 10, `${spec.uid} / ${p.title}: description`);
      if (p.type === 'text') continue;
      assert.equal(p.datasource?.uid, '${datasource}', `${p.title}: datasource`);
      assert.ok((p.targets ?? []).length > 0, `${p.title}: has queries`);
      for (const t of p.targets ?? []) assert.equal(t.datasource?.uid, '${datasource}');
    }
  }
});

test('panel queries use only metrics Jarvis exposes, Node process metrics, recording rules and up', () => {
  const known = new Set<string>(Object.values(METRIC));
  const recorded = new Set(recordingRules().map((r) => r.record));
  for (const spec of DASHBOARDS) {
    for (const p of panelsOf(spec)) {
      for (const q of p.queries) {
        for (const [rule] of q.expr.matchAll(/\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b/g)) assert.ok(recorded.has(rule), `${p.title}: recording rule ${rule}`);
        const plain = q.expr.replace(/\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b/g, '');
        for (const [name] of plain.matchAll(/\bjarvis_[a-z0-9_]+/g)) {
          assert.ok(known.has(name) || known.has(name.replace(/_(bucket|count|sum)$/, '')), `${p.title}: ${name}`);
        }
        assert.doesNotMatch(q.expr, /\b(ip|client_ip|principal|user|key)=/, `${p.title}: no unbounded label in queries`);
      }
    }
  }
});

test('the runbook only points at panels that exist', () => {
  const runbook = readFileSync(path.join(ROOT, 'alerts/RUNBOOK.md'), 'utf8');
  const byTitle = new Map(DASHBOARDS.map((d) => [d.title.replace(/^Jarvis \/ /, ''), new Set(panelsOf(d).map((p) => p.title))]));
  const refs = [...runbook.matchAll(/\*([A-Za-z ]+)\* → ((?:"[^"]+"(?:,| and)?\s?)+)/g)];
  assert.ok(refs.length >= 8, `found ${refs.length} panel references`);
  for (const [, dashboard, list] of refs) {
    const panels = byTitle.get(dashboard ?? '');
    assert.ok(panels, `dashboard ${dashboard}`);
    for (const [, title] of (list ?? '').matchAll(/"([^"]+)"/g)) {
      const name = (title ?? '').replace(/\s+/g, ' ');
      assert.ok(panels.has(name), `${dashboard} → "${name}"`);
    }
  }
});
