/**
 * The client-visible chat errors. Details name providers and our own reasons only: never an
 * SDK's message, a URL, a library name or a key.
 */
import { AppError } from '../shared/errors.ts';
import { type FailureReason, isTemporary } from './failure.ts';
import type { ProviderName } from './types.ts';

/** A fallback taken, as events record it. */
export interface Fallback {
  readonly provider: ProviderName;
  readonly reason: FailureReason;
}

/** No provider configured at all: say which variable to set. */
export function noProvider(): AppError {
  return new AppError('ERR_CHAT_NO_PROVIDER', {
    status: 503,
    title: 'No chat provider configured',
    detail: 'Set JARVIS_LOCAL_LLM_URL (an OpenAI-compatible server such as Ollama, e.g. http://localhost:11434/v1), ANTHROPIC_API_KEY or DEEPSEEK_API_KEY, then restart.',
    expose: true,
  });
}

/** The request named a provider this server does not offer. */
export function providerNotConfigured(name: string, offered: readonly string[]): AppError {
  return new AppError('ERR_CHAT_PROVIDER_NOT_CONFIGURED', {
    status: 400,
    title: 'Chat provider not configured',
    detail: `Provider "${name}" is not configured on this server; configured: ${offered.join(', ')}.`,
    errors: [{ path: 'provider', message: `not configured; use one of ${offered.join(', ')}` }],
  });
}

const WORDS: Record<FailureReason, string> = {
  timeout: 'timed out',
  rate_limited: 'rate limited',
  overloaded: 'overloaded',
  server_error: 'failed',
  unreachable: 'unreachable',
  malformed: 'sent an invalid answer',
  stream_cut: 'broke off',
  rejected: 'refused the request',
  bad_request: 'refused the request',
  cancelled: 'cancelled',
  circuit_open: 'paused after repeated failures',
};

/**
 * Every candidate failed. All timeouts → 504; all "come back later" (rate limit, overload, open
 * breaker) → 503; anything else → 502. A Retry-After (seconds) goes with 502 and 503.
 */
export function allFailed(fallbacks: readonly Fallback[], retryAfterMs: number, deadlineHit: boolean): AppError {
  const detail = `No chat provider could answer: ${fallbacks.map((f) => `${f.provider} ${WORDS[f.reason]}`).join(', ') || 'no time left'}.`;
  if (deadlineHit || (fallbacks.length > 0 && fallbacks.every((f) => f.reason === 'timeout'))) {
    return new AppError('ERR_CHAT_TIMEOUT', { status: 504, title: 'Chat provider timed out', detail, expose: true });
  }
  const temporary = fallbacks.length > 0 && fallbacks.every((f) => isTemporary(f.reason));
  const headers = { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) };
  return new AppError('ERR_CHAT_PROVIDERS_UNAVAILABLE', {
    status: temporary ? 503 : 502,
    title: 'Chat providers unavailable',
    detail,
    expose: true,
    headers,
  });
}

/** The answer was already streaming when the provider broke off; no fallback is possible then. */
export function streamInterrupted(provider: ProviderName): AppError {
  return new AppError('ERR_CHAT_STREAM_INTERRUPTED', { status: 502, title: 'Chat answer interrupted', detail: `${provider} broke off while answering.`, expose: true });
}

/** The client went away; nobody will read this, but the code and status make logs honest. */
export function cancelled(): AppError {
  return new AppError('ERR_CHAT_CANCELLED', { status: 499, title: 'Client closed request', expose: true });
}
