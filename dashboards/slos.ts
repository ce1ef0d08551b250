/** SLOs: the availability and latency objectives, their error budgets and burn rates. */
import { METRIC } from '../src/telemetry/names.ts';
import { JOB, SLO_AVAILABILITY_TARGET, SLO_EXCLUDED_ROUTES, SLO_LATENCY_SECONDS, SLO_LATENCY_TARGET, SLO_WINDOW, series } from './lib/selectors.ts';
import type { DashboardSpec } from './lib/spec.ts';

const req = METRIC.httpRequests;
const dur = METRIC.httpDuration;
const scope = `route!~"${SLO_EXCLUDED_ROUTES}"`;
const availabilityBudget = +(1 - SLO_AVAILABILITY_TARGET).toFixed(6);
const latencyBudget = +(1 - SLO_LATENCY_TARGET).toFixed(6);
const pct = (x: number): string => `${+(x * 100).toFixed(2)} %`;

/** Share of requests answered 5xx over the objective's window. */
const errorRatio = `((sum(increase(${series(req, 'status_class="5xx"')}[${SLO_WINDOW}])) or vector(0)) / sum(increase(${series(req)}[${SLO_WINDOW}])))`;
/** Share of fast-path requests slower than the threshold over the window. */
const slowRatio = `(1 - sum(increase(${series(`${dur}_bucket`, `${scope},le="${SLO_LATENCY_SECONDS}"`)}[${SLO_WINDOW}])) / sum(increase(${series(`${dur}_count`, scope)}[${SLO_WINDOW}])))`;

export const slos: DashboardSpec = {
  uid: 'jarvis-slos',
  title: 'Jarvis / SLOs',
  description: `The objectives over ${SLO_WINDOW}: availability ${pct(SLO_AVAILABILITY_TARGET)} non-5xx, latency ${pct(SLO_LATENCY_TARGET)} of fast-path requests within ${SLO_LATENCY_SECONDS} s; budgets left and burn rates.`,
  tags: ['slo'],
  rows: [
    {
      title: `Availability (${pct(SLO_AVAILABILITY_TARGET)} of requests not 5xx)`,
      panels: [
        { title: 'Availability', kind: 'stat', unit: 'percentunit', width: 8, tells: `Share of requests not answered 5xx over ${SLO_WINDOW}; the objective is ${pct(SLO_AVAILABILITY_TARGET)}.`, thresholds: [[null, 'red'], [SLO_AVAILABILITY_TARGET, 'green']], queries: [{ expr: `1 - ${errorRatio}` }] },
        { title: 'Availability error budget left', kind: 'stat', unit: 'percentunit', width: 8, tells: `How much of the ${SLO_WINDOW} budget (${pct(availabilityBudget)} of requests may fail) is left; below 0 the objective is missed.`, thresholds: [[null, 'red'], [0, 'orange'], [0.25, 'green']], queries: [{ expr: `1 - ${errorRatio} / ${availabilityBudget}` }] },
        {
          title: 'Availability burn rate',
          kind: 'timeseries',
          unit: 'short',
          width: 8,
          tells: 'Availability budget consumption speed (1 = on budget); JarvisAvailabilityBudgetBurn pages at 14.4 (1h) and 6 (6h).',
          thresholds: [[null, 'green'], [6, 'orange'], [14.4, 'red']],
          queries: [
            { expr: `job:jarvis_http_errors:ratio_rate1h{job="${JOB}"} / ${availabilityBudget}`, legend: '1h' },
            { expr: `job:jarvis_http_errors:ratio_rate6h{job="${JOB}"} / ${availabilityBudget}`, legend: '6h' },
          ],
        },
        { title: 'Error ratio (5m)', kind: 'timeseries', unit: 'percentunit', width: 24, tells: 'Recent 5xx share (recording rule job:jarvis_http_errors:ratio_rate5m).', queries: [{ expr: `job:jarvis_http_errors:ratio_rate5m{job="${JOB}"}`, legend: '5m' }] },
      ],
    },
    {
      title: `Latency (${pct(SLO_LATENCY_TARGET)} of fast-path requests within ${SLO_LATENCY_SECONDS} s)`,
      panels: [
        { title: 'Fast requests', kind: 'stat', unit: 'percentunit', width: 8, tells: `Share of fast-path requests (all but chat, audio and audit streams) within ${SLO_LATENCY_SECONDS} s over ${SLO_WINDOW}.`, thresholds: [[null, 'red'], [SLO_LATENCY_TARGET, 'green']], queries: [{ expr: `1 - ${slowRatio}` }] },
        { title: 'Latency error budget left', kind: 'stat', unit: 'percentunit', width: 8, tells: `How much of the ${SLO_WINDOW} budget (${pct(latencyBudget)} of requests may be slow) is left.`, thresholds: [[null, 'red'], [0, 'orange'], [0.25, 'green']], queries: [{ expr: `1 - ${slowRatio} / ${latencyBudget}` }] },
        {
          title: 'Burn rate',
          kind: 'timeseries',
          unit: 'short',
          width: 8,
          tells: 'Budget consumption speed (1 = exactly on budget); the fast alert pages at 14.4 (1h) and 6 (6h).',
          thresholds: [[null, 'green'], [6, 'orange'], [14.4, 'red']],
          queries: [
            { expr: `job:jarvis_http_slo_slow_requests:ratio_rate1h{job="${JOB}"} / ${latencyBudget}`, legend: '1h' },
            { expr: `job:jarvis_http_slo_slow_requests:ratio_rate6h{job="${JOB}"} / ${latencyBudget}`, legend: '6h' },
          ],
        },
        {
          title: 'Latency: slow share per window',
          kind: 'timeseries',
          unit: 'percentunit',
          width: 24,
          tells: 'Share of fast-path requests slower than the threshold over each alert window (the multi-window burn-rate inputs).',
          queries: ['5m', '30m', '1h', '6h', '1d', '3d'].map((w) => ({ expr: `job:jarvis_http_slo_slow_requests:ratio_rate${w}{job="${JOB}"}`, legend: w })),
        },
      ],
    },
  ],
};
