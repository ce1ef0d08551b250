/**
 * Runs the chat stand-ins as a process, for end-to-end tests and benchmarks that start the API
 * in another process:
 *
 *   node --import tsx test/support/chat-standin-main.ts [--reply "text"] [--chunk-delay-ms 5]
 *
 * prints one JSON line `{"anthropic": "<base url>", "openai": "<base url ending in /v1>"}` once
 * both listen, and stops on SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import { startAnthropicStandIn } from './chat-anthropic-server.ts';
import { startOpenAIStandIn } from './chat-openai-server.ts';

const { values } = parseArgs({ options: { reply: { type: 'string' }, 'chunk-delay-ms': { type: 'string' } } });
const opts = { ...(values.reply !== undefined && { reply: values.reply }), chunkDelayMs: Number(values['chunk-delay-ms'] ?? 0) };
const anthropic = await startAnthropicStandIn(opts);
const openai = await startOpenAIStandIn(opts);
console.log(JSON.stringify({ anthropic: anthropic.url, openai: openai.url }));

const stop = async (): Promise<void> => {
  await Promise.all([anthropic.close(), openai.close()]);
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
