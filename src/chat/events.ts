/**
 * Publishing the chat events (events/chat.ts). Texts go in only with JARVIS_LOG_CONTENT=true.
 * Keyed by conversation id, so one conversation's turns stay in order on the log.
 */
import { ChatCompleted, ChatFailed, ChatRequested } from '../../events/chat.ts';
import type { Publisher } from '../eventlog/publisher.ts';
import type { Fallback } from './errors.ts';
import type { ChatContext, ProviderName, TokenUsage } from './types.ts';

export interface ChatEvents {
  requested(ctx: ChatContext, conversationId: string, providerRequested: string | undefined, text: string): void;
  completed(ctx: ChatContext, conversationId: string, r: { provider: ProviderName; model: string; latencyMs: number; ttftMs: number | null; usage: TokenUsage | null; fallbacks: readonly Fallback[]; streamed: boolean; text: string }): void;
  failed(ctx: ChatContext, conversationId: string, errorCode: string, latencyMs: number, fallbacks: readonly Fallback[]): void;
}

export function chatEvents(publisher: Publisher, logContent: boolean): ChatEvents {
  const meta = (ctx: ChatContext, conversationId: string) => ({
    key: conversationId,
    requestId: ctx.requestId,
    actorId: ctx.principal,
    ...(ctx.traceparent !== undefined && { traceparent: ctx.traceparent }),
  });
  const turn = (ctx: ChatContext, conversationId: string) => ({ request_id: ctx.requestId, conversation_id: conversationId, principal: ctx.principal });
  const ms = (n: number) => Math.max(0, Math.round(n));
  return {
    requested(ctx, conversationId, providerRequested, text) {
      publisher.publish(
        ChatRequested,
        { ...turn(ctx, conversationId), provider_requested: providerRequested ?? null, characters: text.length, ...(logContent && { text }) },
        meta(ctx, conversationId),
      );
    },
    completed(ctx, conversationId, r) {
      publisher.publish(
        ChatCompleted,
        {
          ...turn(ctx, conversationId),
          provider: r.provider,
          model: r.model.slice(0, 128),
          latency_ms: ms(r.latencyMs),
          time_to_first_token_ms: r.ttftMs === null ? null : ms(r.ttftMs),
          input_tokens: r.usage?.input_tokens ?? null,
          output_tokens: r.usage?.output_tokens ?? null,
          fallbacks: r.fallbacks.map((f) => ({ provider: f.provider, reason: f.reason })),
          streamed: r.streamed,
          ...(logContent && { text: r.text }),
        },
        meta(ctx, conversationId),
      );
    },
    failed(ctx, conversationId, errorCode, latencyMs, fallbacks) {
      publisher.publish(
        ChatFailed,
        { ...turn(ctx, conversationId), error_code: errorCode, latency_ms: ms(latencyMs), fallbacks: fallbacks.map((f) => ({ provider: f.provider, reason: f.reason })) },
        meta(ctx, conversationId),
      );
    },
  };
}
