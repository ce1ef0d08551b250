/**
 * Why a provider attempt failed, in our own words. SDK errors carry URLs, library names and the
 * provider's own messages; none of that leaves this file: only a reason, a status and a hint.
 */
import { AnthropicError, APIConnectionTimeoutError as AnthropicTimeout } from '@anthropic-ai/sdk';
import { OpenAIError, APIConnectionTimeoutError as OpenAITimeout } from 'openai';

/** Reasons recorded in events (`fallbacks[].reason`) and metrics. */
export type FailureReason =
  | 'timeout'
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'unreachable'
  | 'malformed'
  | 'stream_cut'
  | 'rejected'
  | 'bad_request'
  | 'cancelled'
  | 'circuit_open';

/** An attempt's failure, already classified. Internal: never rendered to a client. */
export class ProviderFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    readonly upstreamStatus: number | null = null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(`provider failed: ${reason}${upstreamStatus === null ? '' : ` (${upstreamStatus})`}`);
    this.name = 'ProviderFailure';
  }
}

/** Reasons that say nothing about the provider's health: they do not count toward its breaker. */
export function countsAgainstProvider(reason: FailureReason): boolean {
  return reason !== 'bad_request' && reason !== 'cancelled' && reason !== 'circuit_open';
}

/** Reasons that mean "come back later" rather than "broken": 503 with Retry-After when all are like this. */
export function isTemporary(reason: FailureReason): boolean {
  return reason === 'rate_limited' || reason === 'overloaded' || reason === 'circuit_open';
}

const MAX_RETRY_AFTER_MS = 3_600_000;

/** `retry-after-ms` (OpenAI), then `retry-after` as seconds or an HTTP date; capped at an hour. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now: number): number | null {
  if (!headers || typeof headers.get !== 'function') return null;
  const ms = headers.get('retry-after-ms');
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.min(Number(ms), MAX_RETRY_AFTER_MS);
  const raw = headers.get('retry-after');
  if (!raw) return null;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.min(Number(raw) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, Math.min(at - now, MAX_RETRY_AFTER_MS));
}

interface SdkErrorLike {
  status?: unknown;
  headers?: { get(name: string): string | null };
  type?: unknown;
  error?: unknown;
}

function errorType(e: SdkErrorLike): string | undefined {
  if (typeof e.type === 'string') return e.type;
  const body = e.error as { type?: unknown; error?: { type?: unknown } } | undefined;
  if (typeof body?.error?.type === 'string') return body.error.type;
  if (typeof body?.type === 'string') return body.type;
  return undefined;
}

/**
 * Classifies whatever an SDK threw. Both SDKs (Stainless-generated) throw errors with `status`
 * and `headers`; connection and timeout errors have no status. `afterResponse` says whether the
 * upstream had already started answering, which turns a broken connection into a cut stream.
 */
export function classify(err: unknown, now: number, afterResponse = false): ProviderFailure {
  if (err instanceof ProviderFailure) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorLike;
  if (err instanceof SyntaxError) return new ProviderFailure('malformed');
  // The SDKs' stream helpers wrap what broke them in their base error class, the original as `cause`.
  if (err instanceof AnthropicTimeout || err instanceof OpenAITimeout) return new ProviderFailure('timeout');
  // undici's body-read failure: the headers had come, the body broke off. Connection failures
  // before the headers reach us wrapped as the SDKs' APIConnectionError instead.
  if (err instanceof TypeError && err.message === 'terminated') return new ProviderFailure('stream_cut');
  const sdkBase = err instanceof AnthropicError || err instanceof OpenAIError;
  // Only the SDKs' base class itself (not its API/connection subclasses) wraps what broke a stream helper.
  if (sdkBase && (err.constructor === AnthropicError || err.constructor === OpenAIError)) {
    const cause = (err as { cause?: unknown }).cause;
    if (cause === undefined) return new ProviderFailure('malformed'); // the SDK itself saw the protocol broken
    return classify(cause, now, afterResponse);
  }
  const status = typeof e.status === 'number' ? e.status : null;
  const type = errorType(e);
  if (status === null) {
    if (type === 'overloaded_error') return new ProviderFailure('overloaded');
    if (type === 'rate_limit_error') return new ProviderFailure('rate_limited');
    // An error event inside a 200 stream: the upstream failed while answering.
    if (type !== undefined || (sdkBase && e.error !== undefined)) return new ProviderFailure('server_error');
    return new ProviderFailure(afterResponse ? 'stream_cut' : 'unreachable');
  }
  const retryAfter = parseRetryAfter(e.headers, now);
  // Anthropic now also answers some overloads with 429 + overloaded_error: the body's type decides.
  if (status === 529 || status === 503 || type === 'overloaded_error') return new ProviderFailure('overloaded', status, retryAfter);
  if (status === 429) return new ProviderFailure('rate_limited', status, retryAfter);
  if (status === 408 || status === 504) return new ProviderFailure('timeout', status);
  if (status >= 500) return new ProviderFailure('server_error', status);
  if (status === 400 || status === 413 || status === 422) return new ProviderFailure('bad_request', status);
  if (status >= 300 && status < 400) return new ProviderFailure('malformed', status);
  return new ProviderFailure('rejected', status);
}
