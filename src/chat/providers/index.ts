/** Builds the configured providers, in the configured order. */
import type { ChatConfig } from '../../config/chat.ts';
import type { Clock } from '../../shared/clock.ts';
import type { ChatProvider } from '../types.ts';
import { anthropicProvider } from './anthropic.ts';
import { openAICompatibleProvider } from './openai-compatible.ts';

/** One provider per configured name, keyed by name, in `cfg.order`. */
export function buildProviders(cfg: ChatConfig, clock: Clock): Map<string, ChatProvider> {
  const out = new Map<string, ChatProvider>();
  for (const name of cfg.order) {
    if (name === 'anthropic' && cfg.anthropic) out.set(name, anthropicProvider(cfg.anthropic, clock, cfg.timeoutMs));
    if (name === 'deepseek' && cfg.deepseek) {
      out.set(name, openAICompatibleProvider({ name, baseUrl: cfg.deepseek.baseUrl, apiKey: cfg.deepseek.apiKey, model: cfg.deepseek.model, timeoutMs: cfg.timeoutMs }, clock));
    }
    if (name === 'local' && cfg.local) {
      out.set(name, openAICompatibleProvider({ name, baseUrl: cfg.local.baseUrl, apiKey: cfg.local.apiKey, model: cfg.local.model, timeoutMs: cfg.timeoutMs }, clock));
    }
  }
  return out;
}
