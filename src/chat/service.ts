/**
 * The chat service: one turn = pick providers (requested first, then the configured order),
 * try each under its breaker and a bounded deadline, fall back on failure, keep the
 * conversation, publish requested / completed / failed. Framework-independent: the HTTP layer
 * validates the body (schemas.ts) and renders the AppErrors thrown here.
 *
 * Streaming: `stream()` yields nothing until a provider has produced its first token, so every
 * failure before text (no provider, 404, all failed, timeout) is thrown by the first `next()`
 * and can still become a problem+json; a failure after text throws ERR_CHAT_STREAM_INTERRUPTED.
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/config.ts';
import type { Publisher } from '../eventlog/publisher.ts';
import type { Clock } from '../shared/clock.ts';
import { isAppError } from '../shared/errors.ts';
import type { IdGenerator } from '../shared/ids.ts';
import { createConversationStore } from './conversations.ts';
import { deadline } from './deadline.ts';
import { allFailed, cancelled, type Fallback, streamInterrupted } from './errors.ts';
import { chatEvents } from './events.ts';
import { classify, ProviderFailure } from './failure.ts';
import { createProviderPool } from './pool.ts';
import { buildProviders } from './providers/index.ts';
import type { ChatRequest } from './schemas.ts';
import type { ChatContext, ChatLogger, ChatObserver, ChatProvider, ChatResult, ChatStreamEvent, ProviderStatus } from './types.ts';

export interface ChatServiceDeps {
  readonly config: Pick<Config, 'chat' | 'logContent'> & { readonly auth: Pick<Config['auth'], 'sessionIdleMs'> };
  readonly publisher: Publisher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger?: ChatLogger;
  readonly observer?: ChatObserver;
}

export interface ChatService {
  /** Every known provider with its real availability (cached probe + breaker); never waits. */
  providers(): ProviderStatus[];
  /** Re-probes stale providers (bounded by a short timeout) and returns fresh statuses; for /status. */
  checkProviders(): Promise<ProviderStatus[]>;
  chat(req: ChatRequest, ctx: ChatContext): Promise<ChatResult>;
  stream(req: ChatRequest, ctx: ChatContext): AsyncIterable<ChatStreamEvent>;
  close(): Promise<void>;
}

/** Slack given to the SDK's own timeout so ours fires first and is classified as ours. */
const SDK_TIMEOUT_SLACK_MS = 1000;
/** Retry-After when nobody upstream said how long to wait. */
const DEFAULT_RETRY_MS = 5000;

/** Builds the service and its providers from configuration. */
export function createChatService(deps: ChatServiceDeps): ChatService {
  const cfg = deps.config.chat;
  const observer = deps.observer ?? {};
  const pool = createProviderPool(cfg, buildProviders(cfg, deps.clock), deps.clock, observer, deps.logger);
  const events = chatEvents(deps.publisher, deps.config.logContent);
  const conversations = createConversationStore({
    clock: deps.clock,
    ids: deps.ids,
    idleMs: deps.config.auth.sessionIdleMs,
    maxTurns: cfg.maxHistoryTurns,
    maxChars: cfg.maxHistoryChars,
    maxConversations: cfg.maxConversations,
  });

  /** Resolves providers and the conversation, publishing `requested` (and `failed` when refused). */
  function begin(req: ChatRequest, ctx: ChatContext) {
    // Durations are monotonic (performance.now); the injected clock is for breakers and expiry.
    const t0 = performance.now();
    let candidates: ChatProvider[];
    let conv: { id: string; history: readonly import('./types.ts').ChatMessage[] };
    try {
      candidates = pool.candidates(req.provider);
      conv = conversations.open(req.conversation_id, ctx.principal);
    } catch (err) {
      const id = req.conversation_id ?? 'none';
      events.requested(ctx, id, req.provider, req.text);
      events.failed(ctx, id, isAppError(err) ? err.code : 'ERR_INTERNAL', performance.now() - t0, []);
      throw err;
    }
    events.requested(ctx, conv.id, req.provider, req.text);
    const messages = [...conv.history, { role: 'user' as const, content: req.text }];
    return { t0, candidates, conv, messages, fallbacks: [] as Fallback[], retryHints: [] as number[], closed: false };
  }
  type Turn = ReturnType<typeof begin>;

  /** Publishes `failed` and returns the error to throw (the publish error wins only if there is none). */
  function fail(ctx: ChatContext, turn: Turn, err: Error & { code?: string }): Error {
    turn.closed = true;
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

  const remaining = (turn: Turn): number => cfg.totalTimeoutMs - (performance.now() - turn.t0);
  const failureOf = (err: unknown, d: ReturnType<typeof deadline>, afterResponse: boolean): ProviderFailure =>
    d.cancelled() ? new ProviderFailure('cancelled') : d.timedOut() ? new ProviderFailure('timeout') : classify(err, deps.clock.now(), afterResponse);

  async function chat(req: ChatRequest, ctx: ChatContext): Promise<ChatResult> {
    const turn = begin(req, ctx);
    for (const p of turn.candidates) {
      if (remaining(turn) <= 0) throw exhausted(ctx, turn, true);
      if (!acquire(p, turn)) continue;
      const started = performance.now();
      const d = deadline(Math.min(cfg.timeoutMs, remaining(turn)), ctx.signal);
      try {
        const answer = await p.complete({ system: cfg.systemPrompt, messages: turn.messages, maxTokens: cfg.maxTokens, signal: d.signal, timeoutMs: cfg.timeoutMs + SDK_TIMEOUT_SLACK_MS });
        d.dispose();
        pool.succeeded(p, (performance.now() - started) / 1000);
        conversations.append(turn.conv.id, ctx.principal, req.text, answer.text);
        turn.closed = true;
        events.completed(ctx, turn.conv.id, { provider: p.name, model: answer.model, latencyMs: performance.now() - turn.t0, ttftMs: null, usage: answer.usage, fallbacks: turn.fallbacks, streamed: false, text: answer.text });
        return { response: answer.text, provider: p.name, model: answer.model, conversation_id: turn.conv.id, usage: answer.usage };
      } catch (err) {
        d.dispose();
        if (isAppError(err)) throw err; // ours (cancelled, publisher full): not a provider failure
        attemptFailed(p, failureOf(err, d, false), started, ctx, turn);
      }
    }
    throw exhausted(ctx, turn, false);
  }

  async function* stream(req: ChatRequest, ctx: ChatContext): AsyncGenerator<ChatStreamEvent> {
    const turn = begin(req, ctx);
    try {
      for (const p of turn.candidates) {
        if (remaining(turn) <= 0) throw exhausted(ctx, turn, true);
        if (!acquire(p, turn)) continue;
        const started = performance.now();
        // Before the first token the whole-turn budget applies; after it, each silence gets timeoutMs.
        const d = deadline(Math.min(cfg.timeoutMs, remaining(turn)), ctx.signal);
        const upstream = p.stream({ system: cfg.systemPrompt, messages: turn.messages, maxTokens: cfg.maxTokens, signal: d.signal, timeoutMs: cfg.timeoutMs + SDK_TIMEOUT_SLACK_MS })[Symbol.asyncIterator]();
        let text = '';
        let ttft: number | null = null;
        let verdict: 'pending' | 'ok' | 'failed' = 'pending';
        try {
          for (;;) {
            let next: IteratorResult<import('./types.ts').ProviderChunk>;
            try {
              next = await upstream.next();
            } catch (err) {
              const f = failureOf(err, d, ttft !== null);
              verdict = 'failed';
              attemptFailed(p, f, started, ctx, turn);
              if (ttft !== null) throw fail(ctx, turn, streamInterrupted(p.name));
              break; // nothing sent yet: fall back to the next provider
            }
            if (next.done) throw new Error('provider stream ended without its end marker'); // a bug in a provider, not upstream
            const chunk = next.value;
            if (chunk.type === 'end') {
              verdict = 'ok';
              pool.succeeded(p, (performance.now() - started) / 1000);
              conversations.append(turn.conv.id, ctx.principal, req.text, text);
              turn.closed = true;
              events.completed(ctx, turn.conv.id, { provider: p.name, model: chunk.model, latencyMs: performance.now() - turn.t0, ttftMs: ttft, usage: chunk.usage, fallbacks: turn.fallbacks, streamed: true, text });
              yield { type: 'done', provider: p.name, model: chunk.model, usage: chunk.usage, conversation_id: turn.conv.id };
              return;
            }
            if (ttft === null) {
              ttft = performance.now() - turn.t0;
              observer.timeToFirstToken?.(p.name, ttft / 1000);
            }
            text += chunk.text;
            d.pause(); // our consumer's pace is not the provider's silence
            yield { type: 'delta', text: chunk.text };
            d.extend(cfg.timeoutMs);
          }
        } finally {
          d.dispose();
          if (verdict === 'pending') {
            pool.breaker(p).release(); // consumer stopped early: no verdict on the provider
            void upstream.return?.(undefined);
          }
        }
      }
      throw exhausted(ctx, turn, false);
    } catch (err) {
      if (!turn.closed) fail(ctx, turn, err as Error);
      throw err;
    } finally {
      // The consumer stopped pulling before the end (client gone): the turn still gets its event.
      if (!turn.closed) fail(ctx, turn, cancelled());
    }
  }

  return {
    providers: () => pool.statuses(),
    async checkProviders() {
      await pool.refresh();
      return pool.statuses();
    },
    chat,
    stream,
    async close() {
      pool.close();
    },
  };
}
