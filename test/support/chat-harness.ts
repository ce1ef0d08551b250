/**
 * Starts the provider stand-ins a chat test asks for and a chat service configured (through the
 * real config parser) to use them, with a frozen clock and a recording publisher.
 */
import { loadConfig } from '../../src/config/config.ts';
import { type ChatService, createChatService } from '../../src/chat/service.ts';
import type { Publisher } from '../../src/eventlog/publisher.ts';
import type { BreakerState, ChatContext, ChatObserver, ProviderName } from '../../src/chat/types.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import { sequentialIds } from '../../src/shared/ids.ts';
import { startAnthropicStandIn } from './chat-anthropic-server.ts';
import { startOpenAIStandIn } from './chat-openai-server.ts';
import { recordingPublisher, type RecordingPublisher } from './chat-recording-publisher.ts';
import type { StandIn, StandInOptions } from './chat-standin-common.ts';

export interface HarnessOptions {
  readonly anthropic?: StandInOptions;
  readonly deepseek?: StandInOptions;
  readonly local?: StandInOptions;
  /** Extra environment (JARVIS_CHAT_TIMEOUT, JARVIS_CHAT_PROVIDERS, …). */
  readonly env?: Record<string, string>;
  /** Replaces the observer that records breaker changes. */
  readonly observer?: ChatObserver;
  /** A real publisher instead of the recording one (`publisher` in the harness stays the recorder, unused). */
  readonly realPublisher?: Publisher;
}

export interface Harness {
  readonly service: ChatService;
  readonly publisher: RecordingPublisher;
  readonly clock: ReturnType<typeof fixedClock>;
  readonly anthropic: StandIn | undefined;
  readonly deepseek: StandIn | undefined;
  readonly local: StandIn | undefined;
  readonly breakerChanges: [ProviderName, BreakerState][];
  ctx(principal?: string, signal?: AbortSignal): ChatContext;
  close(): Promise<void>;
}

export const ANTHROPIC_TEST_KEY = 'sk-ant-test-0123456789';
export const DEEPSEEK_TEST_KEY = 'sk-deepseek-test-0123456789';

/** Starts what `opts` names; the provider order defaults to local, anthropic, deepseek. */
export async function chatHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const anthropic = opts.anthropic ? await startAnthropicStandIn({ apiKey: ANTHROPIC_TEST_KEY, ...opts.anthropic }) : undefined;
  const deepseek = opts.deepseek ? await startOpenAIStandIn({ apiKey: DEEPSEEK_TEST_KEY, model: 'deepseek-chat', ...opts.deepseek }) : undefined;
  const local = opts.local ? await startOpenAIStandIn(opts.local) : undefined;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    JARVIS_CHAT_TIMEOUT: '2s',
    ...(anthropic && { ANTHROPIC_API_KEY: ANTHROPIC_TEST_KEY, ANTHROPIC_BASE_URL: anthropic.url }),
    ...(deepseek && { DEEPSEEK_API_KEY: DEEPSEEK_TEST_KEY, DEEPSEEK_BASE_URL: deepseek.url }),
    ...(local && { JARVIS_LOCAL_LLM_URL: local.url, JARVIS_LOCAL_LLM_MODEL: 'llama3.2' }),
    ...opts.env,
  };
  const config = loadConfig(env);
  const clock = fixedClock(Date.parse('2026-01-01T00:00:00Z'));
  const publisher = recordingPublisher();
  const breakerChanges: [ProviderName, BreakerState][] = [];
  const service = createChatService({
    config,
    publisher: opts.realPublisher ?? publisher,
    clock,
    ids: sequentialIds('c'),
    observer: opts.observer ?? { breakerChanged: (p, s) => breakerChanges.push([p, s]) },
  });
  let n = 0;
  return {
    service,
    publisher,
    clock,
    anthropic,
    deepseek,
    local,
    breakerChanges,
    ctx: (principal = 'env-1', signal) => ({ requestId: `req-${++n}`, principal, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', ...(signal && { signal }) }),
    async close() {
      await service.close();
      await Promise.all([anthropic?.close(), deepseek?.close(), local?.close()]);
    },
  };
}

/** Collects a stream into its deltas and its final event. */
export async function collect<T extends { type: string }>(it: AsyncIterable<T>): Promise<{ deltas: string[]; done: T | undefined }> {
  const deltas: string[] = [];
  let done: T | undefined;
  for await (const ev of it) {
    if (ev.type === 'delta') deltas.push((ev as unknown as { text: string }).text);
    else done = ev;
  }
  return { deltas, done };
}
