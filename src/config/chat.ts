/** The chat section of the configuration: providers, models, order, timeouts. Owned by src/chat. */
import { optSecret, Secret } from '../shared/secret.ts';
import { ConfigError, duration, type Env, int, list, optStr, str } from './parse.ts';

export type ProviderName = 'anthropic' | 'deepseek' | 'local';

/** Every provider this build knows, in the default order of preference (local first: no data leaves the machine). */
export const PROVIDER_NAMES: readonly ProviderName[] = ['local', 'anthropic', 'deepseek'];

export interface ChatConfig {
  readonly anthropic: { readonly apiKey: Secret; readonly baseUrl: string | undefined; readonly model: string } | null;
  readonly deepseek: { readonly apiKey: Secret; readonly baseUrl: string; readonly model: string } | null;
  readonly local: { readonly baseUrl: string; readonly model: string; readonly apiKey: Secret | undefined } | null;
  /** Configured providers in the order they are tried. */
  readonly order: readonly ProviderName[];
  /** Bound on one provider attempt (and, when streaming, on each silence between chunks). */
  readonly timeoutMs: number;
  /** Bound on one chat turn across all fallbacks, so a request never outlives the HTTP timeout. */
  readonly totalTimeoutMs: number;
  readonly systemPrompt: string;
  readonly maxHistoryTurns: number;
  /** Oldest turns are dropped beyond this many characters of history (keeps prompts inside context windows). */
  readonly maxHistoryChars: number;
  /** Conversations kept in memory at most; the least recently used go first. */
  readonly maxConversations: number;
  readonly maxTokens: number;
  /** Consecutive failures that open a provider's circuit breaker. */
  readonly breakerFailures: number;
  /** How long an open breaker waits before letting one probe request through. */
  readonly breakerCooldownMs: number;
  /** How long a /status availability probe result is reused. */
  readonly probeTtlMs: number;
}

function url(env: Env, name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `expected an http(s) URL such as http://localhost:11434/v1, got "${value}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(name, `expected an http(s) URL, got "${parsed.protocol}"`);
  return value.replace(/\/+$/, '');
}

export function parseChatConfig(env: Env): ChatConfig {
  const anthropicKey = optStr(env, 'ANTHROPIC_API_KEY');
  const deepseekKey = optStr(env, 'DEEPSEEK_API_KEY');
  let localUrl = url(env, 'JARVIS_LOCAL_LLM_URL', optStr(env, 'JARVIS_LOCAL_LLM_URL'));
  // Ollama, llama.cpp and vLLM all serve the OpenAI API under /v1; a bare host:port means that.
  if (localUrl !== undefined && new URL(localUrl).pathname === '/') localUrl = `${localUrl}/v1`;
  const anthropic = anthropicKey
    ? { apiKey: new Secret(anthropicKey), baseUrl: url(env, 'ANTHROPIC_BASE_URL', optStr(env, 'ANTHROPIC_BASE_URL')), model: str(env, 'JARVIS_ANTHROPIC_MODEL', 'claude-sonnet-5-5') }
    : null;
  const deepseek = deepseekKey
    ? { apiKey: new Secret(deepseekKey), baseUrl: url(env, 'DEEPSEEK_BASE_URL', str(env, 'DEEPSEEK_BASE_URL', 'https://api.deepseek.com'))!, model: str(env, 'JARVIS_DEEPSEEK_MODEL', 'deepseek-chat') }
    : null;
  const local = localUrl ? { baseUrl: localUrl, model: str(env, 'JARVIS_LOCAL_LLM_MODEL', 'llama3.2'), apiKey: optSecret(optStr(env, 'JARVIS_LOCAL_LLM_API_KEY')) } : null;
  const configured: ProviderName[] = [];
  if (local) configured.push('local');
  if (anthropic) configured.push('anthropic');
  if (deepseek) configured.push('deepseek');
  const wanted = list(env, 'JARVIS_CHAT_PROVIDERS');
  for (const w of wanted) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(w)) throw new ConfigError('JARVIS_CHAT_PROVIDERS', `unknown provider "${w}" (expected ${PROVIDER_NAMES.join(', ')})`);
  }
  const order = wanted.length > 0 ? [...new Set(wanted as ProviderName[])].filter((p) => configured.includes(p)) : configured;
  const timeoutMs = duration(env, 'JARVIS_CHAT_TIMEOUT', '30s');
  if (timeoutMs < 1) throw new ConfigError('JARVIS_CHAT_TIMEOUT', 'must be positive');
  const totalTimeoutMs = duration(env, 'JARVIS_CHAT_TOTAL_TIMEOUT', '90s');
  if (totalTimeoutMs < timeoutMs) throw new ConfigError('JARVIS_CHAT_TOTAL_TIMEOUT', 'must be at least JARVIS_CHAT_TIMEOUT');
  return {
    anthropic,
    deepseek,
    local,
    order,
    timeoutMs,
    totalTimeoutMs,
    systemPrompt: str(env, 'JARVIS_SYSTEM_PROMPT', 'You are Jarvis, a concise and helpful voice assistant. Answer in plain sentences that read well aloud.'),
    maxHistoryTurns: int(env, 'JARVIS_CHAT_HISTORY_TURNS', 20, 0, 200),
    maxHistoryChars: int(env, 'JARVIS_CHAT_HISTORY_CHARS', 100_000, 0, 2_000_000),
    maxConversations: int(env, 'JARVIS_CHAT_MAX_CONVERSATIONS', 10_000, 1, 1_000_000),
    maxTokens: int(env, 'JARVIS_CHAT_MAX_TOKENS', 1024, 1, 200_000),
    breakerFailures: int(env, 'JARVIS_CHAT_BREAKER_FAILURES', 3, 1, 1000),
    breakerCooldownMs: duration(env, 'JARVIS_CHAT_BREAKER_COOLDOWN', '30s'),
    probeTtlMs: duration(env, 'JARVIS_CHAT_PROBE_TTL', '30s'),
  };
}
