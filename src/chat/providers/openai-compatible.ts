/**
 * Any OpenAI-compatible chat-completions server through the official `openai` SDK: DeepSeek,
 * and local servers (Ollama, llama.cpp's server, vLLM). Retries off, environment never read
 * by the SDK (key, organization, project and base URL are given explicitly).
 */
import OpenAI from 'openai';
import type { Stream } from 'openai/streaming';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Clock } from '../../shared/clock.ts';
import type { Secret } from '../../shared/secret.ts';
import { classify, ProviderFailure } from '../failure.ts';
import type { ChatProvider, ProviderAnswer, ProviderChunk, ProviderName, ProviderRequest, TokenUsage } from '../types.ts';
import { silentLogger } from './silent-logger.ts';

export interface OpenAICompatibleOptions {
  readonly name: ProviderName;
  readonly baseUrl: string;
  /** Local servers usually need none; the SDK insists on a string, so a placeholder goes instead. */
  readonly apiKey: Secret | undefined;
  readonly model: string;
  readonly timeoutMs: number;
}

function nonNegInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}

function usageOf(u: unknown): TokenUsage {
  const x = (u ?? {}) as { prompt_tokens?: unknown; completion_tokens?: unknown };
  return { input_tokens: nonNegInt(x.prompt_tokens), output_tokens: nonNegInt(x.completion_tokens) };
}

/** Builds a provider that speaks OpenAI chat completions at `baseUrl`. */
export function openAICompatibleProvider(opts: OpenAICompatibleOptions, clock: Clock): ChatProvider {
  const client = new OpenAI({
    apiKey: opts.apiKey?.reveal() ?? 'not-needed',
    organization: null,
    project: null,
    baseURL: opts.baseUrl,
    maxRetries: 0,
    timeout: opts.timeoutMs,
    logLevel: 'off',
    logger: silentLogger,
  });
  const messages = (req: ProviderRequest) => [
    { role: 'system' as const, content: req.system },
    ...req.messages.map((m) => ({ role: m.role, content: m.content })),
  ];

  return {
    name: opts.name,
    model: opts.model,

    async complete(req): Promise<ProviderAnswer> {
      let res: unknown;
      try {
        res = await client.chat.completions.create(
          { model: opts.model, messages: messages(req), max_tokens: req.maxTokens, stream: false },
          { signal: req.signal, timeout: req.timeoutMs },
        );
      } catch (err) {
        throw classify(err, clock.now());
      }
      const r = res as { choices?: { message?: { content?: unknown } }[]; model?: unknown; usage?: unknown };
      const content = Array.isArray(r.choices) ? r.choices[0]?.message?.content : undefined;
      if (typeof content !== 'string') throw new ProviderFailure('malformed');
      return { text: content, model: typeof r.model === 'string' && r.model ? r.model : opts.model, usage: usageOf(r.usage) };
    },

    async *stream(req): AsyncIterable<ProviderChunk> {
      let started = false;
      let finished = false;
      let model = opts.model;
      let usage: TokenUsage = { input_tokens: null, output_tokens: null };
      let stream: Stream<ChatCompletionChunk>;
      try {
        stream = await client.chat.completions.create(
          { model: opts.model, messages: messages(req), max_tokens: req.maxTokens, stream: true, stream_options: { include_usage: true } },
          { signal: req.signal, timeout: req.timeoutMs },
        );
      } catch (err) {
        throw classify(err, clock.now());
      }
      try {
        for await (const chunk of stream) {
          started = true;
          if (typeof chunk.model === 'string' && chunk.model) model = chunk.model;
          if (chunk.usage) usage = usageOf(chunk.usage);
          if (!Array.isArray(chunk.choices)) throw new ProviderFailure('malformed');
          const choice = chunk.choices[0];
          const text = choice?.delta?.content;
          if (typeof text === 'string' && text) yield { type: 'text', text };
          if (choice?.finish_reason) finished = true;
        }
      } catch (err) {
        throw classify(err, clock.now(), started);
      } finally {
        if (!finished) stream.controller.abort();
      }
      // The SDK ends quietly when aborted or when the body ends without [DONE]: a finish_reason is our proof.
      if (!finished) throw new ProviderFailure(started ? 'stream_cut' : 'unreachable');
      yield { type: 'end', model, usage };
    },

    async probe(signal): Promise<void> {
      try {
        await client.models.list({ signal, timeout: opts.timeoutMs });
      } catch (err) {
        throw classify(err, clock.now());
      }
    },
  };
}
