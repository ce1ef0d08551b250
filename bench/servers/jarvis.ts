// Jarvis itself, single process, embedded log in a temp directory, every event published.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { startJarvis } from '../../src/main.ts';
import { startOpenAIStandIn } from '../../test/support/chat-openai-server.ts';

const llm = await startOpenAIStandIn({ reply: 'Short answer.' });
const config = loadConfig({
  NODE_ENV: 'production',
  JARVIS_WORKERS: '1',
  JARVIS_HOST: '127.0.0.1',
  JARVIS_PORT: '0',
  JARVIS_METRICS_PORT: '0',
  JARVIS_LOG_LEVEL: 'warn',
  JARVIS_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'jarvis-bench-')),
  JARVIS_JWT_SECRET: 'bench-secret-'.padEnd(64, 'b'),
  JARVIS_API_KEY_1: process.env.BENCH_KEY ?? 'bench-key-0123456789abcdef',
  JARVIS_RATE_LIMIT_API: '100000000/min',
  JARVIS_LOCAL_LLM_URL: llm.url,
}, '0.1.0');
const jarvis = await startJarvis(config);
console.log(`READY ${jarvis.url}`);
process.on('SIGTERM', () => void jarvis.close(1000).then(() => llm.close()).then(() => process.exit(0)));
