/**
 * One chat turn's bookkeeping, shared by the JSON and the streaming paths: resolving providers
 * and the conversation, claiming breakers, booking failed attempts, deciding the final error,
 * and publishing requested / failed exactly once per turn.
 */
import { performance } from 'node:perf_hooks';
import type { ChatConfig } from '../config/chat.ts';
import { ATTR } from '../telemetry/names.ts';
import type { Clock } from '../shared/clock.ts';
import { isAppError } from '../shared/errors.ts';
import type { ConversationStore } from './conversations.ts';
import type { Deadline } from './deadline.ts';
import { allFailed, cancelled, type Fallback } from './errors.ts';
import type { ChatEvents } from './events.ts';
import { classify, ProviderFailure } from './failure.ts';
import type { ProviderPool } from './pool.ts';
import { type ChatSpan, turnSpan } from './spans.ts';
import type { ChatRequest } from './schemas.ts';
import type { ChatContext, ChatLogger, ChatMessage, ChatProvider } from './types.ts';

/** Retry-After when nobody upstream said how long to wait. */
const DEFAULT_RETRY_MS = 5000;

export interface TurnDeps {
  readonly cfg: ChatConfig;
  readonly pool: ProviderPool;
  readonly events: ChatEvents;
  readonly conversations: ConversationStore;
  readonly clock: Clock;
  readonly logger: ChatLogger | undefined;
}

export interface Turn {
  /** performance.now() at the start: durations are monotonic; the injected clock is for breakers and expiry. */
  readonly t0: number;
  readonly candidates: readonly ChatProvider[];
  readonly conv: { readonly id: string; readonly history: readonly ChatMessage[] };
  /** The history plus the new question. */
  readonly messages: readonly ChatMessage[];
  readonly fallbacks: Fallback[];
  readonly retryHints: number[];
  /** Set once completed or failed has been published. */
  closed: boolean;
  readonly span: ChatSpan;
}

/** The operations on a turn, bound to the service's parts. */
export function turnKit(deps: TurnDeps) {
  const { cfg, pool, events, conversations } = deps;

  /** Resolves providers and the conversation, publishing `requested` (and `failed` when refused). */
  function begin(req: ChatRequest, ctx: ChatContext): Turn {
    const t0 = performance.now();
    const span = turnSpan({ requestId: ctx.requestId, promptChars: req.text.length });
    let candidates: ChatProvider[];
    let conv: Turn['conv'];
    try {
      candidates = pool.candidates(req.provider);
      conv = conversations.open(req.conversation_id, ctx.principal);
    } catch (err) {
      const id = req.conversation_id ?? 'none';
      events.requested(ctx, id, req.provider, req.text);
      events.failed(ctx, id, isAppError(err) ? err.code : 'ERR_INTERNAL', performance.now() - t0, []);
      span.fail(isAppError(err) ? err.code : 'ERR_INTERNAL');
      throw err;
    }
    span.set({ [ATTR.conversationId]: conv.id });
    events.requested(ctx, conv.id, req.provider, req.text);
    const messages = [...conv.history, { role: 'user' as const, content: req.text }];
    return { t0, candidates, conv, messages, fallbacks: [], retryHints: [], closed: false, span };
  }

  /** Publishes `failed` and returns the error to throw (the publish error wins only if there is none). */
  function fail(ctx: ChatContext, turn: Turn, err: Error & { code?: string }): Error {
    turn.closed = true;
    turn.span.fail(err.code ?? 'ERR_INTERNAL');
    try {
      events.failed(ctx, turn.conv.id, err.code ?? 'ERR_INTERNAL', performance.now() - turn.t0, turn.fallbacks);
    } catch (publishErr) {
      deps.logger?.warn({ request_id: ctx.requestId, err: String(publishErr) }, 'chat failure event not published');
    }
    return err;
  }

  /** Claims a provider's breaker; records a skipped one. */
  function acquire(p: ChatProvider, turn: Turn): boolean {
    const b = pool.breaker(p);
    if (b.tryAcquire()) return true;
    pool.skipped(p);
    turn.fallbacks.push({ provider: p.name, reason: 'circuit_open' });
    turn.retryHints.push(b.retryInMs());
    return false;
  }

  /** Books a failed attempt; throws when the client is gone (no point in falling back). */
  function attemptFailed(p: ChatProvider, f: ProviderFailure, started: number, ctx: ChatContext, turn: Turn): void {
    pool.failed(p, f, (performance.now() - started) / 1000, ctx.requestId);
    if (f.reason === 'cancelled') throw fail(ctx, turn, cancelled());
    turn.fallbacks.push({ provider: p.name, reason: f.reason });
    if (f.retryAfterMs !== null) turn.retryHints.push(f.retryAfterMs);
    else if (f.reason === 'rate_limited' || f.reason === 'overloaded') turn.retryHints.push(DEFAULT_RETRY_MS);
  }

  function exhausted(ctx: ChatContext, turn: Turn, deadlineHit: boolean): Error {
    const retry = turn.retryHints.length > 0 ? Math.max(...turn.retryHints) : DEFAULT_RETRY_MS;
    return fail(ctx, turn, allFailed(turn.fallbacks, retry, deadlineHit));
  }

  /** Marks the turn answered: span attributes (no text) and end. Publishing stays with the caller. */
  function answered(turn: Turn, provider: string, model: string): void {
    turn.closed = true;
    turn.span.set({ [ATTR.provider]: provider, [ATTR.model]: model, ...(turn.fallbacks.length > 0 && { [ATTR.fallbackFrom]: turn.fallbacks.map((f) => f.provider).join(',') }) });
    turn.span.end();
  }

  const remaining = (turn: Turn): number => cfg.totalTimeoutMs - (performance.now() - turn.t0);
  const failureOf = (err: unknown, d: Deadline, afterResponse: boolean): ProviderFailure =>
    d.cancelled() ? new ProviderFailure('cancelled') : d.timedOut() ? new ProviderFailure('timeout') : classify(err, deps.clock.now(), afterResponse);

  return { begin, fail, acquire, attemptFailed, exhausted, answered, remaining, failureOf };
}

export type TurnKit = ReturnType<typeof turnKit>;
