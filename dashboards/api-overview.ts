/** API overview: RED per route, saturation of the process, and the chat providers behind it. */
import { METRIC } from '../src/telemetry/names.ts';
import { JOB, quantile, rate, SEL, series } from './lib/selectors.ts';
import type { DashboardSpec } from './lib/spec.ts';

const req = METRIC.httpRequests;

export const apiOverview: DashboardSpec = {
  uid: 'jarvis-api-overview',
  title: 'Jarvis / API overview',
  description: 'First stop for on-call: traffic, errors and latency per route, process saturation, and the chat providers.',
  tags: ['overview'],
  rows: [
    {
      title: 'Traffic, errors, duration',
      panels: [
        { title: 'Request rate by route', kind: 'timeseries', unit: 'reqps', tells: 'Requests per second per route template and method: where the load is.', queries: [{ expr: `sum by (route, method) (${rate(req)})`, legend: '{{method}} {{route}}' }] },
        { title: 'Errors by route', kind: 'timeseries', unit: 'reqps', tells: 'Client (4xx) and server (5xx) errors per route: 401/403/429 waves are clients, 5xx are us.', queries: [{ expr: `sum by (route, status_class) (${rate(req, 'status_class=~"4xx|5xx"')})`, legend: '{{status_class}} {{route}}' }] },
        {
          title: 'Server error ratio',
          kind: 'stat',
          unit: 'percentunit',
          width: 6,
          tells: 'Share of requests answered 5xx right now; JarvisHighErrorRatio fires above 5 %.',
          thresholds: [[null, 'green'], [0.01, 'orange'], [0.05, 'red']],
          queries: [{ expr: `(sum(${rate(req, 'status_class="5xx"')}) or vector(0)) / sum(${rate(req)})` }],
        },
        { title: 'Instances up', kind: 'stat', width: 6, tells: 'Instances Prometheus scrapes successfully, out of those it knows.', queries: [{ expr: `sum(up{${SEL}})`, legend: 'up' }, { expr: `count(up{${SEL}})`, legend: 'known' }] },
        {
          title: 'Latency percentiles',
          kind: 'timeseries',
          unit: 's',
          tells: 'p50, p95 and p99 over all routes (long-running chat and audio included).',
          queries: [
            { expr: quantile(0.5, METRIC.httpDuration), legend: 'p50' },
            { expr: quantile(0.95, METRIC.httpDuration), legend: 'p95' },
            { expr: quantile(0.99, METRIC.httpDuration), legend: 'p99' },
          ],
        },
        { title: 'p99 latency by route', kind: 'timeseries', unit: 's', tells: 'Which route is slow; exemplars on the underlying histogram link to traces.', queries: [{ expr: quantile(0.99, METRIC.httpDuration, ['route']), legend: '{{route}}' }] },
      ],
    },
    {
      title: 'Saturation',
      panels: [
        { title: 'Requests in flight', kind: 'timeseries', unit: 'short', width: 8, tells: 'Concurrent requests per instance; a steady climb means handlers wait on something.', queries: [{ expr: `sum by (instance) (${series(METRIC.httpInFlight)})`, legend: '{{instance}}' }] },
        { title: 'CPU', kind: 'timeseries', unit: 'percentunit', width: 8, tells: 'CPU seconds per second per instance (1.0 = one core busy); speech synthesis shares it.', queries: [{ expr: `sum by (instance) (${rate('process_cpu_seconds_total')})`, legend: '{{instance}}' }] },
        { title: 'Event loop lag', kind: 'timeseries', unit: 's', width: 8, tells: 'p99 event-loop delay per instance: above ~50 ms every request waits.', queries: [{ expr: `max by (instance) (${series('nodejs_eventloop_lag_p99_seconds')})`, legend: '{{instance}}' }] },
        { title: 'Memory', kind: 'timeseries', unit: 'bytes', tells: 'Resident memory and used heap per instance: a heap that only grows is a leak.', queries: [{ expr: `sum by (instance) (${series('process_resident_memory_bytes')})`, legend: 'rss {{instance}}' }, { expr: `sum by (instance) (${series('nodejs_heap_size_used_bytes')})`, legend: 'heap {{instance}}' }] },
        { title: 'Open handles', kind: 'timeseries', unit: 'short', tells: 'Active handles (sockets, timers) per instance: tracks open connections and streams.', queries: [{ expr: `sum by (instance) (${series('nodejs_active_handles_total')})`, legend: '{{instance}}' }] },
      ],
    },
    {
      title: 'Chat providers',
      panels: [
        { title: 'Provider requests by outcome', kind: 'timeseries', unit: 'reqps', tells: 'Calls per provider and outcome; short_circuited means the breaker refused the call.', queries: [{ expr: `sum by (provider, outcome) (${rate(METRIC.providerRequests)})`, legend: '{{provider}} {{outcome}}' }] },
        { title: 'Provider errors by kind', kind: 'timeseries', unit: 'reqps', tells: 'Why provider calls fail: auth (key), rate_limited (quota), network/timeout (egress), server (their outage).', queries: [{ expr: `sum by (provider, kind) (${rate(METRIC.providerErrors)})`, legend: '{{provider}} {{kind}}' }] },
        { title: 'Provider latency p95', kind: 'timeseries', unit: 's', tells: 'How long models take to answer, per provider.', queries: [{ expr: quantile(0.95, METRIC.providerDuration, ['provider']), legend: '{{provider}}' }] },
        { title: 'Circuit breakers', kind: 'timeseries', unit: 'short', min: 0, max: 2, tells: 'Breaker state per provider: 0 closed, 1 half-open, 2 open (worst worker).', queries: [{ expr: `max by (provider) (${series(METRIC.providerBreakerState)})`, legend: '{{provider}}' }] },
        { title: 'Fallbacks', kind: 'timeseries', unit: 'reqps', tells: 'Answers that moved from one provider to the next.', queries: [{ expr: `sum by (from, to) (${rate(METRIC.providerFallbacks)})`, legend: '{{from}} → {{to}}' }] },
        { title: 'Build', kind: 'table', tells: `Which version each instance of job ${JOB} runs.`, queries: [{ expr: `max by (instance, version) (${series(METRIC.buildInfo)})`, instant: true }] },
      ],
    },
  ],
};
