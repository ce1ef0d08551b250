/**
 * The one interface every chat provider implements, and the shapes the service hands out.
 * Providers know nothing of conversations, breakers or events: they turn messages into text.
 */
import type { ProviderName } from '../config/chat.ts';

export type { ProviderName } from '../config/chat.ts';

/** One message of a conversation as the providers see it (the system prompt travels apart). */
export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

/** Token counts as the provider reported them (null when it did not). */
export interface TokenUsage {
  readonly input_tokens: number | null;
  readonly output_tokens: number | null;
}

export interface ProviderRequest {
  readonly system: string;
  readonly messages: readonly ChatMessage[];
  readonly maxTokens: number;
  /** Aborts the upstream HTTP call: client gone, or our own deadline. */
  readonly signal: AbortSignal;
  /** The SDK's own timeout, a little after ours, as a second line of defence. */
  readonly timeoutMs: number;
}

export interface ProviderAnswer {
  readonly text: string;
  readonly model: string;
  readonly usage: TokenUsage;
}

/** What a provider's stream yields: text as it comes, then exactly one `end`. */
export type ProviderChunk = { readonly type: 'text'; readonly text: string } | { readonly type: 'end'; readonly model: string; readonly usage: TokenUsage };

export interface ChatProvider {
  readonly name: ProviderName;
  readonly model: string;
  complete(req: ProviderRequest): Promise<ProviderAnswer>;
  /** Must throw (not end quietly) when the upstream stream stops before its end marker. */
  stream(req: ProviderRequest): AsyncIterable<ProviderChunk>;
  /** A cheap call proving the upstream answers (listing models); throws when it does not. */
  probe(signal: AbortSignal): Promise<void>;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

/** A provider as /status shows it. */
export interface ProviderStatus {
  readonly name: ProviderName;
  readonly configured: boolean;
  readonly available: boolean;
  readonly breaker: BreakerState;
  readonly model: string | null;
}

/** The POST /chat answer, without request_id and audio fields (the HTTP layer adds those). */
export interface ChatResult {
  readonly response: string;
  readonly provider: ProviderName;
  readonly model: string;
  readonly conversation_id: string;
  readonly usage?: TokenUsage;
}

export type ChatStreamEvent =
  | { readonly type: 'delta'; readonly text: string }
  | { readonly type: 'done'; readonly provider: ProviderName; readonly model: string; readonly usage: TokenUsage | null; readonly conversation_id: string };

/** Who asks and how to reach them: correlation for events, and the client's disconnect signal. */
export interface ChatContext {
  readonly requestId: string;
  /** The key id of the caller (never a secret). */
  readonly principal: string;
  readonly traceparent?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Optional hooks for metrics (src/telemetry wires prom-client here); must not throw. */
export interface ChatObserver {
  attempt?(provider: ProviderName, outcome: string, seconds: number): void;
  breakerChanged?(provider: ProviderName, state: BreakerState): void;
  timeToFirstToken?(provider: ProviderName, seconds: number): void;
  /** An answer came from `to` after `from` had failed or was skipped. */
  fallback?(from: ProviderName, to: ProviderName): void;
}

/** The subset of pino's logger the chat code uses. */
export interface ChatLogger {
  warn(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}
