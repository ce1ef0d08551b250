/**
 * Anthropic through its official SDK (Messages API). The SDK's own retries are off: the service
 * falls back to the next provider instead of waiting here. Everything the SDK would otherwise
 * read from the environment (key, base URL, logging, tracing content) is given explicitly.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { ChatConfig } from '../../config/chat.ts';
import type { Clock } from '../../shared/clock.ts';
import { classify, ProviderFailure } from '../failure.ts';
import type { ChatProvider, ProviderAnswer, ProviderChunk, ProviderRequest, TokenUsage } from '../types.ts';
import { silentLogger } from './silent-logger.ts';

const DEFAULT_BASE_URL = 'https://api.anthropic.com';

function nonNegInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}

/** Builds the Anthropic provider from its configuration section. */
export function anthropicProvider(cfg: NonNullable<ChatConfig['anthropic']>, clock: Clock, timeoutMs: number): ChatProvider {
  const client = new Anthropic({
    apiKey: cfg.apiKey.reveal(),
    authToken: null,
    baseURL: cfg.baseUrl ?? DEFAULT_BASE_URL,
    maxRetries: 0,
    timeout: timeoutMs,
    logLevel: 'off',
    logger: silentLogger,
    // Spans, if any, carry metadata only, whatever ANTHROPIC_OPEN_TELEMETRY_* says.
    openTelemetry: { traces: { contentMode: 'metadata_only' } },
  });
  const params = (req: ProviderRequest) => ({
    model: cfg.model,
    max_tokens: req.maxTokens,
    system: req.system,
    messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
  });

  return {
    name: 'anthropic',
    model: cfg.model,

    async complete(req): Promise<ProviderAnswer> {
      let msg: unknown;
      try {
        msg = await client.messages.create(params(req), { signal: req.signal, timeout: req.timeoutMs });
      } catch (err) {
        throw classify(err, clock.now());
      }
      const m = msg as { content?: unknown; model?: unknown; usage?: { input_tokens?: unknown; output_tokens?: unknown } };
      if (!Array.isArray(m.content)) throw new ProviderFailure('malformed');
      const text = (m.content as { type?: unknown; text?: unknown }[])
        .filter((b) => b.type === 'text' && typeof b.text === 'string')
        .map((b) => b.text as string)
        .join('');
      return {
        text,
        model: typeof m.model === 'string' ? m.model : cfg.model,
        usage: { input_tokens: nonNegInt(m.usage?.input_tokens), output_tokens: nonNegInt(m.usage?.output_tokens) },
      };
    },

    async *stream(req): AsyncIterable<ProviderChunk> {
      let started = false;
      let stopped = false;
      let model = cfg.model;
      let usage: TokenUsage = { input_tokens: null, output_tokens: null };
      const stream = client.messages.stream(params(req), { signal: req.signal, timeout: req.timeoutMs });
      try {
        for await (const ev of stream) {
          started = true;
          switch (ev.type) {
            case 'message_start':
              model = ev.message.model || model;
              usage = { input_tokens: nonNegInt(ev.message.usage?.input_tokens), output_tokens: nonNegInt(ev.message.usage?.output_tokens) };
              break;
            case 'content_block_delta':
              if (ev.delta.type === 'text_delta' && ev.delta.text) yield { type: 'text', text: ev.delta.text };
              break;
            case 'message_delta':
              // message_delta's usage is cumulative; input_tokens may be repeated there.
              usage = {
                input_tokens: nonNegInt((ev.usage as { input_tokens?: unknown }).input_tokens) ?? usage.input_tokens,
                output_tokens: nonNegInt(ev.usage?.output_tokens) ?? usage.output_tokens,
              };
              break;
            case 'message_stop':
              stopped = true;
              break;
            default:
              break;
          }
        }
      } catch (err) {
        throw classify(err, clock.now(), started);
      } finally {
        if (!stopped) stream.abort();
      }
      if (!stopped) throw new ProviderFailure(started ? 'stream_cut' : 'unreachable');
      yield { type: 'end', model, usage };
    },

    async probe(signal): Promise<void> {
      try {
        await client.models.list({ limit: 1 }, { signal, timeout: timeoutMs });
      } catch (err) {
        throw classify(err, clock.now());
      }
    },
  };
}
