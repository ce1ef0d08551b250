/**
 * Selectors and objectives, defined once for every dashboard. The alert rules (YAML) repeat the
 * job and SLO selectors; test/dashboards checks they agree with these.
 */
import { PROMETHEUS_JOB } from '../../src/telemetry/names.ts';

export const JOB = PROMETHEUS_JOB;

/** Every Jarvis series on the dashboards: the job, and the instances picked in `$instance`. */
export const SEL = `job="${JOB}",instance=~"$instance"`;

/** Routes outside the latency objective: they wait for a model or stream by design. */
export const SLO_EXCLUDED_ROUTES = '/chat|/audio/.*|/v1/audio/speech|/admin/audit/(live|export)';

/** Latency objective: this share of fast-path requests within `SLO_LATENCY_SECONDS`. */
export const SLO_LATENCY_TARGET = 0.99;
/** Must be a bucket bound of jarvis_http_request_duration_seconds (BUCKETS.http). */
export const SLO_LATENCY_SECONDS = 0.5;
/** Availability objective: this share of requests not answered 5xx. */
export const SLO_AVAILABILITY_TARGET = 0.995;
/** The objectives' window. */
export const SLO_WINDOW = '30d';

/** `rate(metric{SEL,extra}[$__rate_interval])`. */
export function rate(metric: string, extra = ''): string {
  return `rate(${metric}{${SEL}${extra ? `,${extra}` : ''}}[$__rate_interval])`;
}

/** `metric{SEL,extra}`. */
export function series(metric: string, extra = ''): string {
  return `${metric}{${SEL}${extra ? `,${extra}` : ''}}`;
}

/** `histogram_quantile(q, sum by (by, le) (rate(hist_bucket{…})))`. */
export function quantile(q: number, histogram: string, by: readonly string[] = [], extra = ''): string {
  return `histogram_quantile(${q}, sum by (${[...by, 'le'].join(', ')}) (${rate(`${histogram}_bucket`, extra)}))`;
}
