/**
 * Tested against the real thing: a real Prometheus (Debian package) scrapes a running Jarvis
 * (the real app from src/main.ts, embedded log, real speech engine, loopback chat stand-ins)
 * every second while traffic runs: successes, auth failures, permission denials, rate limits,
 * chat with a failing provider, speech jobs. Then every dashboard panel query and every alert
 * and recording rule is run against Prometheus' HTTP API: each must be valid, every panel must
 * return data, and every rule group must evaluate without error.
 *
 * OpenTelemetry is started first (as preload.ts does) so latency histograms carry trace-id
 * exemplars, which Prometheus must ingest.
 */
import { register } from 'node:module';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
const { startTelemetry } = await import('../../src/telemetry/otel.ts');
const telemetry = startTelemetry({ env: {} });

const { startTestJarvis, KEYS } = await import('../support/http-jarvis.ts');
const { startOpenAIStandIn } = await import('../support/chat-openai-server.ts');
const { startAnthropicStandIn } = await import('../support/chat-anthropic-server.ts');
const { startPrometheus } = await import('../support/telemetry-prometheus.ts');
const { ALERTS_DIR, alertRules, recordingRules } = await import('../support/alerts-rules.ts');
const { DASHBOARDS } = await import('../../dashboards/index.ts');
const { panelsOf } = await import('../../dashboards/lib/spec.ts');

type Started<T extends (...a: never[]) => Promise<unknown>> = Awaited<ReturnType<T>>;

/**
 * Panels whose metrics the app does not record yet (wiring pending in src/main.ts, see the
 * telemetry report). Listed so the rest is enforced now; an entry that starts returning data
 * is reported as a diagnostic and should be removed.
 */
const PENDING_WIRING = new Set<string>();

/** Grafana's variables, as Grafana would expand them for "last 5 minutes, all instances". */
function expand(expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '5m').replaceAll('$instance', '.*');
}

let prom: Started<typeof startPrometheus>;
let jarvis: Started<typeof startTestJarvis>;
let local: Started<typeof startOpenAIStandIn>;
let anthropic: Started<typeof startAnthropicStandIn>;
const sent = { total: 0 };

async function call(p: string, init: RequestInit & { key?: string } = {}): Promise<number> {
  const res = await jarvis.fetch(p, init);
  await res.arrayBuffer();
  sent.total++;
  return res.status;
}

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Traffic of every kind the dashboards show. Order matters: rate limits last. */
async function traffic(): Promise<Record<string, number[]>> {
  const seen: Record<string, number[]> = {};
  const note = (k: string, s: number): void => {
    (seen[k] ??= []).push(s);
  };
  for (let i = 0; i < 5; i++) note('health', await call('/health'));
  note('ready', await call('/ready'));
  note('openapi', await call('/openapi.json'));
  for (let i = 0; i < 3; i++) note('status', await call('/status', { key: KEYS.full }));
  note('no credential', await call('/status'));
  for (let i = 0; i < 3; i++) note('unknown key', await call('/status', { key: 'not-a-key-0123456789abcdef' }));
  note('malformed', await call('/status', { headers: { authorization: 'Basic abc' } }));
  note('forbidden', await call('/chat', { key: KEYS.read, ...json({ text: 'hi' }) }));
  note('not found', await call('/definitely/not/here', { key: KEYS.full }));
  const token = await jarvis.fetch('/auth/token', { key: KEYS.full, ...json({}) });
  sent.total++;
  const { access_token: jwt } = (await token.json()) as { access_token: string };
  note('token', token.status);
  for (let i = 0; i < 2; i++) note('jwt status', await call('/status', { key: jwt }));
  for (let i = 0; i < 3; i++) note('chat', await call('/chat', { key: KEYS.full, ...json({ text: `Say hello number ${i}.` }) }));
  note('block', await call('/admin/ip-blocks', { key: KEYS.admin, ...json({ cidr: '203.0.113.0/24', expires_in: 3600, reason: 'telemetry test' }) }));
  for (let i = 0; i < 2; i++) note('speech', await call('/audio/stream', { key: KEYS.full, ...json({ text: 'Testing one two three.' }) }));
  for (let i = 0; i < 4; i++) note('speech over limit', await call('/audio/stream', { key: KEYS.full, ...json({ text: 'Again.' }) }));
  for (let i = 0; i < 40; i++) note('api over limit', await call('/status', { key: KEYS.full }));
  return seen;
}

before(async () => {
  local = await startOpenAIStandIn();
  anthropic = await startAnthropicStandIn({ faults: ['server_error', 'server_error', 'server_error', 'server_error', 'server_error', 'server_error'] });
  jarvis = await startTestJarvis({
    JARVIS_RATE_LIMIT_API: '30/min',
    JARVIS_RATE_LIMIT_STREAM: '3/min',
    JARVIS_BRUTE_FORCE_THRESHOLD: '1000',
    JARVIS_TTS_ENGINE: 'embedded',
    JARVIS_LOCAL_LLM_URL: local.url,
    ANTHROPIC_API_KEY: 'sk-ant-test-0123456789',
    ANTHROPIC_BASE_URL: anthropic.url,
    JARVIS_CHAT_PROVIDERS: 'anthropic,local',
  });
  assert.ok(jarvis.jarvis.metricsUrl, 'the app serves metrics on its own listener');
  const target = new URL(jarvis.jarvis.metricsUrl).host;
  const ruleFiles = readdirSync(ALERTS_DIR).filter((f) => f.endsWith('.yaml')).map((f) => path.join(ALERTS_DIR, f));
  prom = await startPrometheus({ targets: [target], ruleFiles });
});

after(async () => {
  await prom?.stop();
  await jarvis?.close();
  await local?.close();
  await anthropic?.close();
  await telemetry.shutdown();
});

async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${prom.log().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('traffic of every kind reaches the app and Prometheus scrapes it', async (t) => {
  await waitFor('first scrape', async () => (await prom.query('up{job="jarvis-api"} == 1')).result.length === 1);
  const seen = await traffic();
  t.diagnostic(JSON.stringify(seen));
  assert.ok(seen['unknown key']?.every((s) => s === 401), 'auth failures');
  assert.ok(seen.forbidden?.every((s) => s === 403), 'permission denied');
  assert.ok(seen['api over limit']?.includes(429), 'api rate limit');
  assert.ok(seen['speech over limit']?.includes(429), 'stream rate limit');
  assert.ok(seen.speech?.every((s) => s === 200), 'speech jobs');
  // every request counted, scraped, then a few more rule evaluations on top
  await waitFor('all requests scraped', async () => {
    const r = await prom.query('sum(jarvis_http_requests_total{job="jarvis-api"})');
    return Number(r.result[0]?.value?.[1] ?? 0) >= sent.total;
  });
  await new Promise((r) => setTimeout(r, 3000));
});

test('every rule group evaluates against the real series without error', async () => {
  const data = await prom.api<{ groups: Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string }> }> }>('/api/v1/rules');
  const names = data.groups.flatMap((g) => g.rules.map((r) => r.name));
  for (const a of alertRules()) assert.ok(names.includes(a.alert), `${a.alert} loaded`);
  for (const g of data.groups) for (const r of g.rules) assert.equal(r.health, 'ok', `${g.name}/${r.name}: ${r.lastError ?? ''}`);
});

test('every alert and recording expression is valid PromQL on this Prometheus', async () => {
  for (const r of [...alertRules(), ...recordingRules()]) {
    await assert.doesNotReject(prom.query(r.expr), `${r.alert ?? r.record}`);
  }
  // the recording rules the SLO dashboard reads have values already
  const slow = await prom.query('job:jarvis_http_slo_slow_requests:ratio_rate5m');
  assert.equal(slow.result.length, 1);
});

test('every dashboard panel query is valid and every panel returns data', async (t) => {
  const empty: string[] = [];
  let checked = 0;
  for (const d of DASHBOARDS) {
    for (const p of panelsOf(d)) {
      if (p.queries.length === 0) continue;
      let hasData = false;
      for (const q of p.queries) {
        const expr = expand(q.expr);
        const r = q.instant ? await prom.query(expr) : await prom.queryRange(expr, 60, 5);
        checked++;
        if (r.result.length > 0) hasData = true;
      }
      const name = `${d.title} → ${p.title}`;
      if (!hasData && !PENDING_WIRING.has(name)) empty.push(name);
      if (hasData && PENDING_WIRING.has(name)) t.diagnostic(`now returns data, remove from PENDING_WIRING: ${name}`);
      if (!hasData && PENDING_WIRING.has(name)) t.diagnostic(`pending wiring: ${name}`);
    }
  }
  t.diagnostic(`${checked} queries checked`);
  assert.deepEqual(empty, [], 'panels without data');
});

/** Gauges that read 0 until wired: a capacity of 0 means nobody reports it. */
const CAPACITY_GAUGES = ['jarvis_eventlog_outbox_capacity', 'jarvis_tts_queue_capacity'];
const PENDING_GAUGES = new Set<string>();

test('capacity gauges report the configured capacity, not a default 0', async (t) => {
  const missing: string[] = [];
  for (const g of CAPACITY_GAUGES) {
    const r = await prom.query(`${g}{job="jarvis-api"} > 0`);
    const ok = r.result.length > 0;
    if (!ok && !PENDING_GAUGES.has(g)) missing.push(g);
    if (ok && PENDING_GAUGES.has(g)) t.diagnostic(`now reported, remove from PENDING_GAUGES: ${g}`);
    if (!ok && PENDING_GAUGES.has(g)) t.diagnostic(`pending wiring: ${g}`);
  }
  assert.deepEqual(missing, []);
});

test('latency histograms carry exemplars with the trace id of the request', async () => {
  const end = Date.now() / 1000;
  const data = await prom.api<Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string> }> }>>(
    `/api/v1/query_exemplars?query=${encodeURIComponent('jarvis_http_request_duration_seconds_bucket{job="jarvis-api"}')}&start=${end - 300}&end=${end}`,
  );
  const ids = data.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
  assert.ok(ids.length > 0, 'exemplars stored');
  for (const id of ids) assert.match(id ?? '', /^[0-9a-f]{32}$/);
});
