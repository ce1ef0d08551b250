/**
 * Renders docs/observability.md from the sources: the metrics registry, the dashboard specs,
 * the alert rule files and the span names. Grafana cannot run here, so these tables stand in
 * for screenshots; a test fails when the committed file drifts from them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { SPAN } from '../../src/telemetry/names.ts';
import { type DashboardSpec } from './spec.ts';

/** Escapes text for a Markdown table cell. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(s: string): string {
  return `\`${cell(s)}\``;
}

function metricsSection(): string[] {
  const m = createMetrics({ exemplars: false, processMetrics: false });
  const rows = m.registry
    .getMetricsAsArray()
    .map((x) => x as unknown as { name: string; help: string; type: string; labelNames?: string[] })
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((x) => `| ${code(x.name)} | ${x.type} | ${(x.labelNames ?? []).map(code).join(', ') || '—'} | ${cell(x.help)} |`);
  return [
    '## Metrics',
    '',
    'Served by the metrics listener (`JARVIS_METRICS_HOST:JARVIS_METRICS_PORT`, `GET /metrics`), summed across',
    'workers by the primary. Label values come from closed sets: route templates, never raw paths; no IPs, keys or user ids.',
    'Histograms carry trace-id exemplars in the OpenMetrics exposition of a single process (the cluster aggregate drops',
    'them). Node process metrics (`process_*`, `nodejs_*`) are included.',
    '',
    'How the numbers are recorded (`src/telemetry/`): `createMetrics()` builds the registry and typed handles;',
    '`observeHttp` records RED per route template; `instrumentPublisher` derives auth, rate-limit, speech and security',
    'metrics from the events the code publishes, plus publish latency and outbox depth; `trackLiveState` and',
    '`trackTtsQueue` sample gauges at scrape time; the chat service reports provider calls through its observer',
    '(`src/chat/observer.ts`). Series that alerts take increases of start at 0.',
    '',
    '| Metric | Type | Labels | Meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ];
}

function dashboardSection(d: DashboardSpec): string[] {
  const lines = [`### ${d.title}`, '', `${d.description} (uid \`${d.uid}\`, file \`dashboards/generated/${d.uid}.json\`)`, ''];
  for (const row of d.rows) {
    lines.push(`**${row.title}**`, '', '| Panel | Query | What it tells |', '|---|---|---|');
    for (const p of row.panels) {
      const query = p.queries.length === 0 ? '(text)' : p.queries.map((q) => code(q.expr)).join('<br>');
      lines.push(`| ${cell(p.title)} | ${query} | ${cell(p.tells)} |`);
    }
    lines.push('');
  }
  return lines;
}

interface AlertRule {
  alert?: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string };
}

function alertsSection(alertsDir: string): string[] {
  const rows: string[] = [];
  for (const file of readdirSync(alertsDir).filter((f) => f.endsWith('.yaml')).sort()) {
    const doc = parse(readFileSync(path.join(alertsDir, file), 'utf8')) as { groups: Array<{ rules: AlertRule[] }> };
    for (const r of doc.groups.flatMap((g) => g.rules)) {
      if (!r.alert) continue;
      rows.push(`| [${r.alert}](../alerts/RUNBOOK.md#${r.alert.toLowerCase()}) | ${r.labels?.severity ?? ''} | ${r.for ?? ''} | \`alerts/${file}\` | ${cell(r.annotations?.summary ?? '')} |`);
    }
  }
  return [
    '## Alerts',
    '',
    'Prometheus rule files in `alerts/`, unit-tested with `promtool test rules alerts/tests/*.yaml` (each alert silent one',
    'evaluation before its `for` elapses and firing at the edge). Each links to its runbook section.',
    '',
    '| Alert | Severity | For | File | Summary |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ];
}

function tracesSection(): string[] {
  return [
    '## Traces and logs',
    '',
    'OpenTelemetry starts before the app (`node --import ./src/telemetry/preload.ts`), with the official http, undici,',
    'koa and kafkajs instrumentations. Export follows the standard `OTEL_*` variables and is off unless',
    '`OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_TRACES_EXPORTER`) is set; trace ids exist either way. The trace context',
    'travels in every event (`traceparent` in the envelope, and Kafka headers), so the projector and the security event',
    'it derives join the request trace. Spans carry route templates and ids, never credentials or prompt text.',
    '',
    "Jarvis's own spans: " + Object.values(SPAN).map((s) => `\`${s}\``).join(', ') + '.',
    '',
    'Logs are pino JSON lines with `trace_id`, `span_id` and (for request lines) `request_id`; credential fields are',
    'censored. Security events are also written as lines starting with `SECURITY_EVENT <code> <type> <outcome>`, so',
    '`grep SECURITY_EVENT api.log` finds them.',
    '',
  ];
}

/** The whole of docs/observability.md. */
export function renderObservabilityDoc(dashboards: readonly DashboardSpec[], alertsDir: string): string {
  const lines = [
    '# Observability',
    '',
    '<!-- Generated by `node --import tsx dashboards/generate.ts` from src/telemetry, dashboards/ and alerts/. Do not edit. -->',
    '',
    'What SREs get: Prometheus metrics, Grafana dashboards and alert rules as code, traces and JSON logs.',
    'Grafana provisioning lives in `dashboards/provisioning/` (a Prometheus data source with uid `prometheus`, and a',
    'file provider for `dashboards/generated/`); Prometheus must scrape the metrics listener as job `jarvis-api`.',
    '',
    '## Dashboards',
    '',
    ...dashboards.flatMap(dashboardSection),
    ...alertsSection(alertsDir),
    ...metricsSection(),
    ...tracesSection(),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
