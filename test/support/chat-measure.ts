/**
 * Measures what the chat service adds on top of a provider: per-turn latency through the real
 * SDKs against the loopback stand-ins (so the numbers are our overhead plus the SDKs', not a
 * model's), time to first streamed token, the cost of one fallback, and throughput at 16 in flight.
 *
 *   node --import tsx test/support/chat-measure.ts [turns=400]
 */
import { loadConfig } from '../../src/config/config.ts';
import { createChatService } from '../../src/chat/service.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { randomIds } from '../../src/shared/ids.ts';
import { startAnthropicStandIn } from './chat-anthropic-server.ts';
import { startOpenAIStandIn } from './chat-openai-server.ts';
import { recordingPublisher } from './chat-recording-publisher.ts';

const turns = Number(process.argv[2] ?? 400);
const reply = 'Good evening. The weather is mild today, with a light breeze from the west.';
const anthropic = await startAnthropicStandIn({ reply });
const local = await startOpenAIStandIn({ reply });
const config = loadConfig({ NODE_ENV: 'test', ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: anthropic.url, JARVIS_LOCAL_LLM_URL: local.url, JARVIS_CHAT_BREAKER_FAILURES: '1000' });
const service = createChatService({ config, publisher: recordingPublisher(), clock: systemClock, ids: randomIds });
const ctx = () => ({ requestId: randomIds.short(), principal: 'env-1' });

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(2)} ms, p99 ${pct(xs, 99).toFixed(2)} ms`;

async function timeIt(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up: JIT, keep-alive sockets
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

for (const provider of ['local', 'anthropic'] as const) {
  console.log(`${provider} chat (JSON):   ${fmt(await timeIt(turns, () => service.chat({ text: 'How is the weather?', provider }, ctx())))}`);
  const ttft: number[] = [];
  const total = await timeIt(turns, async () => {
    const t = performance.now();
    let first = true;
    for await (const ev of service.stream({ text: 'How is the weather?', provider }, ctx())) {
      if (first && ev.type === 'delta') ttft.push(performance.now() - t);
      first = false;
    }
  });
  console.log(`${provider} chat (stream): ${fmt(total)}; first token ${fmt(ttft.slice(-turns))}`);
}

const fallback = await timeIt(turns, async () => {
  anthropic.faults.push('overloaded');
  await service.chat({ text: 'How is the weather?', provider: 'anthropic' }, ctx());
});
console.log(`anthropic 529 → local fallback: ${fmt(fallback)}`);

const inFlight = 16;
const started = performance.now();
let done = 0;
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (done < turns * 4) {
      done++;
      await service.chat({ text: 'How is the weather?', provider: 'local' }, ctx());
    }
  }),
);
console.log(`local chat at ${inFlight} in flight: ${Math.round((done / (performance.now() - started)) * 1000)} turns/s (service, SDK and stand-in share the process)`);

await service.close();
await Promise.all([anthropic.close(), local.close()]);
