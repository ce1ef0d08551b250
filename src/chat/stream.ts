/**
 * The streaming path of a chat turn. Nothing is yielded until a provider has produced its first
 * token, so any failure before text (no provider, 404, all failed, timeout) comes out of the
 * first `next()` and can still be rendered as problem+json; a provider that breaks off after
 * text ends the stream with ERR_CHAT_STREAM_INTERRUPTED (no fallback: the client has text).
 */
import { performance } from 'node:perf_hooks';
import type { ChatConfig } from '../config/chat.ts';
import type { ConversationStore } from './conversations.ts';
import { deadline } from './deadline.ts';
import { cancelled, streamInterrupted } from './errors.ts';
import type { ChatEvents } from './events.ts';
import type { ProviderPool } from './pool.ts';
import { attemptSpan } from './spans.ts';
import type { ChatRequest } from './schemas.ts';
import type { TurnKit } from './turn.ts';
import type { ChatContext, ChatObserver, ChatStreamEvent, ProviderChunk } from './types.ts';

/** Slack given to the SDK's own timeout so ours fires first and is classified as ours. */
export const SDK_TIMEOUT_SLACK_MS = 1000;

export interface StreamDeps {
  readonly cfg: ChatConfig;
  readonly kit: TurnKit;
  readonly pool: ProviderPool;
  readonly events: ChatEvents;
  readonly conversations: ConversationStore;
  readonly observer: ChatObserver;
}

/** Streams one turn: deltas in order, then one `done`. */
export async function* streamTurn(deps: StreamDeps, req: ChatRequest, ctx: ChatContext): AsyncGenerator<ChatStreamEvent> {
  const { cfg, kit, pool, events, conversations, observer } = deps;
  const { fail, acquire, attemptFailed, exhausted, remaining, failureOf } = kit;
  const turn = kit.begin(req, ctx);
  try {
    for (const p of turn.candidates) {
      if (remaining(turn) <= 0) throw exhausted(ctx, turn, true);
      if (!acquire(p, turn)) continue;
      const started = performance.now();
      // Before the first token the whole-turn budget applies; after it, each silence gets timeoutMs.
      const d = deadline(Math.min(cfg.timeoutMs, remaining(turn)), ctx.signal);
      const span = attemptSpan(turn.span, p.name, p.model);
      const upstream = p.stream({ system: cfg.systemPrompt, messages: turn.messages, maxTokens: cfg.maxTokens, signal: d.signal, timeoutMs: cfg.timeoutMs + SDK_TIMEOUT_SLACK_MS })[Symbol.asyncIterator]();
      let text = '';
      let ttft: number | null = null;
      let verdict: 'pending' | 'ok' | 'failed' = 'pending';
      try {
        for (;;) {
          let next: IteratorResult<ProviderChunk>;
          try {
            next = await span.run(() => upstream.next());
          } catch (err) {
            const f = failureOf(err, d, ttft !== null);
            verdict = 'failed';
            span.fail(f.reason);
            attemptFailed(p, f, started, ctx, turn);
            if (ttft !== null) throw fail(ctx, turn, streamInterrupted(p.name));
            break; // nothing sent yet: fall back to the next provider
          }
          if (next.done) throw new Error('provider stream ended without its end marker'); // a bug in a provider, not upstream
          const chunk = next.value;
          if (chunk.type === 'end') {
            verdict = 'ok';
            span.end();
            pool.succeeded(p, (performance.now() - started) / 1000, turn.fallbacks);
            conversations.append(turn.conv.id, ctx.principal, req.text, text);
            kit.answered(turn, p.name, chunk.model);
            events.completed(ctx, turn.conv.id, { provider: p.name, model: chunk.model, latencyMs: performance.now() - turn.t0, ttftMs: ttft, usage: chunk.usage, fallbacks: turn.fallbacks, streamed: true, text });
            yield { type: 'done', provider: p.name, model: chunk.model, usage: chunk.usage, conversation_id: turn.conv.id };
            return;
          }
          if (ttft === null) {
            ttft = performance.now() - turn.t0;
            try {
              observer.timeToFirstToken?.(p.name, ttft / 1000);
            } catch {
              // telemetry never breaks a request
            }
          }
          text += chunk.text;
          d.pause(); // our consumer's pace is not the provider's silence
          yield { type: 'delta', text: chunk.text };
          d.extend(cfg.timeoutMs);
        }
      } finally {
        d.dispose();
        if (verdict === 'pending') {
          span.fail('cancelled');
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
