/**
 * Turns the chat service's observer hooks into the provider metrics that src/telemetry defines
 * (jarvis_provider_requests_total, _request_duration_seconds, _errors_total, _breaker_state,
 * _fallbacks_total). Typed structurally, so chat does not depend on the telemetry module.
 */
import type { FailureReason } from './failure.ts';
import type { BreakerState, ChatObserver } from './types.ts';

type Outcome = 'success' | 'error' | 'timeout' | 'short_circuited';
type ErrorKind = 'timeout' | 'rate_limited' | 'auth' | 'server' | 'network' | 'invalid_response' | 'other';

/** The slice of the metrics registry this observer feeds. */
export interface ProviderMetrics {
  readonly providerRequests: { inc(labels: { provider: string; outcome: Outcome }): void };
  readonly providerDuration: { observe(labels: { provider: string }, seconds: number): void };
  readonly providerErrors: { inc(labels: { provider: string; kind: ErrorKind }): void };
  setBreakerState(provider: string, state: BreakerState): void;
  readonly providerFallbacks: { inc(labels: { from: string; to: string }): void };
}

const KIND: Record<FailureReason, ErrorKind | null> = {
  timeout: 'timeout',
  rate_limited: 'rate_limited',
  overloaded: 'server',
  server_error: 'server',
  unreachable: 'network',
  stream_cut: 'network',
  malformed: 'invalid_response',
  rejected: 'auth',
  bad_request: 'other',
  cancelled: null, // the client left: not the provider's fault, not an error of its
  circuit_open: null,
};

/** An observer that records into `m`. */
export function metricsObserver(m: ProviderMetrics): ChatObserver {
  return {
    attempt(provider, outcome, seconds) {
      if (outcome === 'circuit_open') return m.providerRequests.inc({ provider, outcome: 'short_circuited' });
      if (outcome === 'cancelled') return;
      m.providerDuration.observe({ provider }, seconds);
      if (outcome === 'ok') return m.providerRequests.inc({ provider, outcome: 'success' });
      m.providerRequests.inc({ provider, outcome: outcome === 'timeout' ? 'timeout' : 'error' });
      const kind = KIND[outcome as FailureReason] ?? 'other';
      m.providerErrors.inc({ provider, kind });
    },
    breakerChanged: (provider, state) => m.setBreakerState(provider, state),
    fallback: (from, to) => m.providerFallbacks.inc({ from, to }),
  };
}
