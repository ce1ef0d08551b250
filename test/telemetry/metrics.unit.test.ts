import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { METRIC } from '../../src/telemetry/names.ts';
import { methodLabel, routeLabel, statusClass } from '../../src/telemetry/labels.ts';

async function exposition(exemplars = false): Promise<{ text: string; m: ReturnType<typeof createMetrics> }> {
  const m = createMetrics({ exemplars, processMetrics: false, version: '1.2.3' });
  return { m, text: await m.registry.metrics() };
}

test('every metric named in names.ts is registered, with HELP text', async () => {
  const m = createMetrics({ exemplars: false, processMetrics: false });
  const registered = new Set(m.registry.getMetricsAsArray().map((x) => x.name));
  for (const name of Object.values(METRIC)) assert.ok(registered.has(name), `${name} is registered`);
  for (const metric of m.registry.getMetricsAsArray()) assert.ok(metric.help.length > 10, `${metric.name} has help`);
});

test('a request is counted per method, route template and status class, and its duration observed', async () => {
  const { m } = await exposition();
  m.observeHttp({ method: 'get', route: '/admin/keys/:id', status: 404, seconds: 0.02 });
  m.observeHttp({ method: 'GET', route: '/admin/keys/:id', status: 404, seconds: 0.7 });
  const text = await m.registry.metrics();
  assert.match(text, /jarvis_http_requests_total\{method="GET",route="\/admin\/keys\/:id",status_class="4xx"\} 2/);
  assert.match(text, /jarvis_http_request_duration_seconds_bucket\{le="0.5",method="GET",route="\/admin\/keys\/:id",status_class="4xx"\} 1/);
  assert.match(text, /jarvis_http_request_duration_seconds_count\{method="GET",route="\/admin\/keys\/:id",status_class="4xx"\} 2/);
});

test('labels stay bounded: odd methods, unknown routes and strange statuses fold into fixed values', async () => {
  const m = createMetrics({ exemplars: false, processMetrics: false, knownRoutes: ['/chat'] });
  m.observeHttp({ method: 'PROPFIND', route: '/chat', status: 200, seconds: 0.01 });
  m.observeHttp({ method: 'GET', route: '/users/12345/secret-path', status: 200, seconds: 0.01 });
  m.observeHttp({ method: 'GET', route: undefined, status: 404, seconds: 0.01 });
  const text = await m.registry.metrics();
  assert.match(text, /method="OTHER",route="\/chat",status_class="2xx"/);
  assert.doesNotMatch(text, /12345|secret-path/);
  assert.match(text, /route="unmatched",status_class="4xx"/);
  const cases: Array<[number, string]> = [[101, '1xx'], [204, '2xx'], [301, '3xx'], [429, '4xx'], [503, '5xx'], [600, '5xx'], [0, '5xx']];
  for (const [code, cls] of cases) assert.equal(statusClass(code), cls, String(code));
  assert.equal(methodLabel('delete'), 'DELETE');
  assert.equal(routeLabel('', undefined), 'unmatched');
});

test('security events are counted by short type and the severity the catalog gives them', async () => {
  const m = createMetrics({ exemplars: false, processMetrics: false });
  m.securityEvent('jarvis.security.brute_force_suspected.v1');
  m.securityEvent('jarvis.security.auth_failed.v1');
  m.securityEvent('jarvis.security.auth_failed.v1');
  const text = await m.registry.metrics();
  assert.match(text, /jarvis_security_events_total\{type="brute_force_suspected",severity="high"\} 1/);
  assert.match(text, /jarvis_security_events_total\{type="auth_failed",severity="low"\} 2/);
});

test('tracked gauges are sampled at scrape time, and a failing sampler does not break the scrape', async () => {
  const m = createMetrics({ exemplars: false, processMetrics: false });
  let depth = 3;
  m.outboxDepth.track(() => depth);
  m.projectorLagEvents.track(() => [[{ projection: 'sessions' }, 7]]);
  m.ttsQueueDepth.track(() => {
    throw new Error('queue gone');
  });
  assert.match(await m.registry.metrics(), /jarvis_eventlog_outbox_depth 3/);
  depth = 9;
  const text = await m.registry.metrics();
  assert.match(text, /jarvis_eventlog_outbox_depth 9/);
  assert.match(text, /jarvis_projector_lag_events\{projection="sessions"\} 7/);
  assert.match(text, /jarvis_tts_queue_depth 0/);
});

test('breaker state is a comparable number: closed 0, half-open 1, open 2', async () => {
  const m = createMetrics({ exemplars: false, processMetrics: false });
  m.setBreakerState('anthropic', 'open');
  m.setBreakerState('local', 'half_open');
  const text = await m.registry.metrics();
  assert.match(text, /jarvis_provider_breaker_state\{provider="anthropic"\} 2/);
  assert.match(text, /jarvis_provider_breaker_state\{provider="local"\} 1/);
});

test('with exemplars on, the exposition is OpenMetrics and a bucket carries the trace id', async () => {
  const m = createMetrics({ exemplars: true, processMetrics: false });
  assert.match(m.registry.contentType, /application\/openmetrics-text/);
  m.observeHttp({ method: 'POST', route: '/chat', status: 200, seconds: 0.2, traceId: '0af7651916cd43dd8448eb211c80319c' });
  const text = await m.registry.metrics();
  assert.match(text, /jarvis_http_request_duration_seconds_bucket\{le="0.25",method="POST",route="\/chat",status_class="2xx"\} 1 # \{trace_id="0af7651916cd43dd8448eb211c80319c"\} 0.2 \d/);
  assert.match(text, /jarvis_http_requests_total\{method="POST",route="\/chat",status_class="2xx"\} 1/);
  assert.match(text, /# EOF\n$/);
});

test('histogram handles take the same call with exemplars off, and timers record elapsed seconds', async () => {
  const m = createMetrics({ exemplars: false, processMetrics: false });
  const stop = m.ttsSynthesisDuration.startTimer({ engine: 'embedded' });
  const seconds = stop();
  assert.ok(seconds >= 0 && seconds < 1);
  m.providerDuration.observe({ provider: 'local' }, 1.5, 'ignored-when-off');
  m.providerDuration.observe({ provider: 'local' }, Number.NaN);
  const text = await m.registry.metrics();
  assert.match(text, /jarvis_tts_synthesis_duration_seconds_count\{engine="embedded"\} 1/);
  assert.match(text, /jarvis_provider_request_duration_seconds_count\{provider="local"\} 1/);
  assert.doesNotMatch(text, /# \{/);
});

test('process metrics are included by default and the build info names the version', async () => {
  const m = createMetrics({ exemplars: false, version: '9.9.9' });
  const text = await m.registry.metrics();
  assert.match(text, /process_cpu_user_seconds_total/);
  assert.match(text, /nodejs_eventloop_lag_seconds/);
  assert.match(text, /jarvis_build_info\{version="9.9.9"\} 1/);
});

test('series that alerts count increases of start at 0, so the first event is an increase', async () => {
  const m = createMetrics({ exemplars: false, processMetrics: false, providers: ['local'], ttsEngines: ['embedded'], projections: ['sessions'] });
  const text = await m.registry.metrics();
  assert.match(text, /jarvis_security_events_total\{type="brute_force_suspected",severity="high"\} 0/);
  assert.match(text, /jarvis_security_events_total\{type="ip_auto_blocked",severity="high"\} 0/);
  assert.match(text, /jarvis_rate_limit_rejections_total\{tier="stream",scope="principal"\} 0/);
  assert.match(text, /jarvis_tts_jobs_total\{engine="embedded",outcome="rejected"\} 0/);
  assert.match(text, /jarvis_provider_breaker_state\{provider="local"\} 0/);
  assert.match(text, /jarvis_projection_rebuild_progress_ratio\{projection="sessions"\} 1/);
});
