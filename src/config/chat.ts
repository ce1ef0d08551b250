/** The chat section of the configuration: providers, models, order, timeouts. Owned by src/chat. */
import { duration, type Env, int, list, optStr, str } from './parse.ts';

export type ProviderName = 'anthropic' | 'deepseek' | 'local';

export interface ChatConfig {
  readonly anthropic: { readonly apiKey: string; readonly baseUrl: string | undefined; readonly model: string } | null;
  readonly deepseek: { readonly apiKey: string; readonly baseUrl: string; readonly model: string } | null;
  readonly local: { readonly baseUrl: string; readonly model: string; readonly apiKey: string | undefined } | null;
  /** Configured providers in the order they are tried. */
  readonly order: readonly ProviderName[];
  readonly timeoutMs: number;
  readonly systemPrompt: string;
  readonly maxHistoryTurns: number;
}

export function parseChatConfig(env: Env): ChatConfig {
  const anthropicKey = optStr(env, 'ANTHROPIC_API_KEY');
  const deepseekKey = optStr(env, 'DEEPSEEK_API_KEY');
  const localUrl = optStr(env, 'JARVIS_LOCAL_LLM_URL');
  const anthropic = anthropicKey ? { apiKey: anthropicKey, baseUrl: optStr(env, 'ANTHROPIC_BASE_URL'), model: str(env, 'JARVIS_ANTHROPIC_MODEL', 'claude-sonnet-4-5') } : null;
  const deepseek = deepseekKey ? { apiKey: deepseekKey, baseUrl: str(env, 'DEEPSEEK_BASE_URL', 'https://api.deepseek.com'), model: str(env, 'JARVIS_DEEPSEEK_MODEL', 'deepseek-chat') } : null;
  const local = localUrl ? { baseUrl: localUrl, model: str(env, 'JARVIS_LOCAL_LLM_MODEL', 'llama3.2'), apiKey: optStr(env, 'JARVIS_LOCAL_LLM_API_KEY') } : null;
  const configured: ProviderName[] = [];
  if (local) configured.push('local');
  if (anthropic) configured.push('anthropic');
  if (deepseek) configured.push('deepseek');
  const wanted = list(env, 'JARVIS_CHAT_PROVIDERS') as ProviderName[];
  const order = wanted.length > 0 ? wanted.filter((p) => configured.includes(p)) : configured;
  return {
    anthropic,
    deepseek,
    local,
    order,
    timeoutMs: duration(env, 'JARVIS_CHAT_TIMEOUT', '30s'),
    systemPrompt: str(env, 'JARVIS_SYSTEM_PROMPT', 'You are Jarvis, a concise and helpful voice assistant. Answer in plain sentences that read well aloud.'),
    maxHistoryTurns: int(env, 'JARVIS_CHAT_HISTORY_TURNS', 20, 0, 200),
  };
}
