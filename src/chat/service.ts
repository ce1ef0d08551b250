/**
 * The chat service: one turn = pick providers (requested first, then the configured order),
 * try each under its breaker and a bounded deadline, fall back on failure, keep the
 * conversation, publish requested / completed / failed. Framework-independent: the HTTP layer
 * validates the body (schemas.ts) and renders the AppErrors thrown here.
 * Streaming lives in stream.ts, the bookkeeping both paths share in turn.ts.
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/config.ts';
import type { Publisher } from '../eventlog/publisher.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import type { SiblingBus } from '../cluster/siblings.ts';
import { shareConversations } from './conversation-siblings.ts';
import { createConversationStore } from './conversations.ts';
import { deadline } from './deadline.ts';
import { chatEvents } from './events.ts';
import { createProviderPool } from './pool.ts';
import { buildProviders } from './providers/index.ts';
import type { ChatRequest } from './schemas.ts';
import { attemptSpan } from './spans.ts';
import { SDK_TIMEOUT_SLACK_MS, streamTurn } from './stream.ts';
import { turnKit } from './turn.ts';
import type { ChatContext, ChatLogger, ChatObserver, ChatResult, ChatStreamEvent, ProviderAnswer, ProviderStatus } from './types.ts';

export interface ChatServiceDeps {
  readonly config: Pick<Config, 'chat' | 'logContent'> & { readonly auth: Pick<Config['auth'], 'sessionIdleMs' | 'sessionAbsoluteMs'> };
  readonly publisher: Publisher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger?: ChatLogger;
  readonly observer?: ChatObserver;
  /** Cluster workers: conversations held by another worker are handed over (conversation-siblings.ts). */
  readonly siblings?: SiblingBus;
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
    maxAgeMs: deps.config.auth.sessionAbsoluteMs,
    maxTurns: cfg.maxHistoryTurns,
    maxChars: cfg.maxHistoryChars,
    maxConversations: cfg.maxConversations,
  });

  const kit = turnKit({ cfg, pool, events, conversations, clock: deps.clock, logger: deps.logger });
  const pullConversation = deps.siblings ? shareConversations(conversations, deps.siblings) : async () => {};

  async function chat(req: ChatRequest, ctx: ChatContext): Promise<ChatResult> {
    const { acquire, attemptFailed, exhausted, remaining, failureOf } = kit;
    await pullConversation(req.conversation_id, ctx.principal);
    const turn = kit.begin(req, ctx);
    for (const p of turn.candidates) {
      if (remaining(turn) <= 0) throw exhausted(ctx, turn, true);
      if (!acquire(p, turn)) continue;
      const started = performance.now();
      const d = deadline(Math.min(cfg.timeoutMs, remaining(turn)), ctx.signal);
      const span = attemptSpan(turn.span, p.name, p.model);
      let answer: ProviderAnswer;
      try {
        answer = await span.run(() => p.complete({ system: cfg.systemPrompt, messages: turn.messages, maxTokens: cfg.maxTokens, signal: d.signal, timeoutMs: cfg.timeoutMs + SDK_TIMEOUT_SLACK_MS }));
      } catch (err) {
        const f = failureOf(err, d, false);
        span.fail(f.reason);
        attemptFailed(p, f, started, ctx, turn); // throws when the client is gone
        continue;
      } finally {
        d.dispose();
      }
      span.end();
      pool.succeeded(p, (performance.now() - started) / 1000, turn.fallbacks);
      conversations.append(turn.conv.id, ctx.principal, req.text, answer.text);
      kit.answered(turn, p.name, answer.model);
      events.completed(ctx, turn.conv.id, { provider: p.name, model: answer.model, latencyMs: performance.now() - turn.t0, ttftMs: null, usage: answer.usage, fallbacks: turn.fallbacks, streamed: false, text: answer.text });
      const reported = answer.usage.input_tokens !== null || answer.usage.output_tokens !== null;
      return { response: answer.text, provider: p.name, model: answer.model, conversation_id: turn.conv.id, ...(reported && { usage: answer.usage }) };
    }
    throw exhausted(ctx, turn, false);
  }

  return {
    providers: () => pool.statuses(),
    async checkProviders() {
      await pool.refresh();
      return pool.statuses();
    },
    chat,
    async *stream(req, ctx) {
      await pullConversation(req.conversation_id, ctx.principal);
      yield* streamTurn({ cfg, kit, pool, events, conversations, observer }, req, ctx);
    },
    async close() {
      pool.close();
    },
  };
}
