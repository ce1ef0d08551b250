/**
 * Spans for chat turns and provider attempts (names from src/telemetry/names.ts). A stream's
 * attempt outlives any one callback, so spans are started and ended by hand, and each upstream
 * step runs inside the attempt's context so the SDK's HTTP span hangs under it. No text, only
 * provider, model, conversation id, sizes and our failure reason. Never throws.
 */
import { context, type Context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR, SPAN } from '../telemetry/names.ts';
import { tracer } from '../telemetry/tracing.ts';

export interface ChatSpan {
  /** The context in which this span is the active one. */
  readonly context: Context;
  /** Runs `fn` with this span active. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  set(attributes: Record<string, string | number | boolean>): void;
  /** Ends the span as failed, with our reason or error code (no message: it may hold user text). */
  fail(reason: string): void;
  end(): void;
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // telemetry never breaks a request
  }
}

function wrap(span: Span, ctx: Context): ChatSpan {
  let ended = false;
  return {
    context: ctx,
    run: (fn) => context.with(ctx, fn),
    set: (attributes) => safe(() => span.setAttributes(attributes)),
    fail(reason) {
      safe(() => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
        span.setAttribute(ATTR.errorType, reason);
      });
      this.end();
    },
    end() {
      if (ended) return;
      ended = true;
      safe(() => span.end());
    },
  };
}

/** The span of one whole turn, child of the active (request) span. */
export function turnSpan(attributes: { requestId: string; promptChars: number }): ChatSpan {
  const parent = context.active();
  const span = tracer().startSpan(SPAN.chat, { attributes: { [ATTR.requestId]: attributes.requestId, [ATTR.promptChars]: attributes.promptChars } }, parent);
  return wrap(span, trace.setSpan(parent, span));
}

/** The span of one provider attempt, child of the turn's span. */
export function attemptSpan(turn: ChatSpan, provider: string, model: string): ChatSpan {
  const span = tracer().startSpan(SPAN.providerCall, { attributes: { [ATTR.provider]: provider, [ATTR.model]: model } }, turn.context);
  return wrap(span, trace.setSpan(turn.context, span));
}
