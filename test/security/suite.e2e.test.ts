/**
 * The black-box security suite against a real instance started in this process on an ephemeral
 * loopback port, with a test configuration (keys of each kind, trusted hosts, an allowed origin,
 * a loopback OpenAI-compatible stand-in as the chat provider). Two instances per event log:
 * one with a large rate limit for every group but rate-limit, one with the contract's default
 * limits for the rate-limit group alone. On Kafka too when KAFKA_BROKERS is set (npm test sets it).
 * Skipped while src/main.ts does not export startJarvis.
 */
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { startOpenAIStandIn } from '../support/chat-openai-server.ts';
import { GROUPS } from './options.ts';
import { runSuiteAndAssert, suiteInstanceEnv, type SuiteTarget } from '../support/security-e2e.ts';

type StartJarvis = (config: ReturnType<typeof loadConfig>) => Promise<{ url: string; close(graceMs?: number): Promise<void> }>;

const main = (await import('../../src/main.ts').catch((e: unknown) => ({ loadError: e }))) as { startJarvis?: unknown; loadError?: unknown };
const startJarvis = typeof main.startJarvis === 'function' ? (main.startJarvis as StartJarvis) : undefined;
const notReady = startJarvis ? false : `src/main.ts does not export startJarvis yet${main.loadError ? ` (import failed: ${String(main.loadError).slice(0, 200)})` : ''}`;

const secret = (n = 24): string => randomBytes(n).toString('base64url');

type Instance = SuiteTarget;

/** Starts the chat stand-in and an instance, runs `fn`, and stops both and removes the data dir. */
async function withInstance(env: Record<string, string>, fn: (i: Instance) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jarvis-security-'));
  const llm = await startOpenAIStandIn({});
  const { keys, jwtSecret, env: suiteEnv } = suiteInstanceEnv(llm.url);
  const config = loadConfig({
    NODE_ENV: 'test',
    JARVIS_LOG_LEVEL: 'silent',
    JARVIS_DATA_DIR: dataDir,
    JARVIS_HOST: '127.0.0.1',
    JARVIS_PORT: '0',
    JARVIS_METRICS_PORT: '0',
    JARVIS_INSTANCE_ID: `security-${secret(4)}`,
    ...suiteEnv,
    JARVIS_WORKERS: '1',
    ...env,
  }, '0.0.0-test');
  const jarvis = await startJarvis!(config);
  try {
    await fn({ url: new URL(jarvis.url), keys, jwtSecret });
  } finally {
    await jarvis.close(2000);
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const logs: { name: string; env: Record<string, string>; skip: string | false }[] = [
  { name: 'the embedded log', env: {}, skip: false },
  {
    name: 'Kafka',
    env: process.env.KAFKA_BROKERS ? { KAFKA_BROKERS: process.env.KAFKA_BROKERS, JARVIS_TOPIC_PREFIX: `security-${secret(4)}.` } : {},
    skip: process.env.KAFKA_BROKERS ? false : 'KAFKA_BROKERS is not set (npm test starts a broker and sets it)',
  },
];

for (const log of logs) {
  const skip = notReady || log.skip;
  const groups = GROUPS.filter((g) => g !== 'rate-limit' && (log.name === 'the embedded log' || g !== 'slow'));
  test(`the security suite passes against an instance on ${log.name} (all groups but rate-limit)`, { skip, timeout: 240_000 }, async () => {
    await withInstance({ ...log.env, JARVIS_RATE_LIMIT_API: '100000/min', JARVIS_RATE_LIMIT_STREAM: '100000/min' }, (i) => runSuiteAndAssert(i, groups));
  });
  test(`the rate-limit group passes against an instance on ${log.name} with the default limits`, { skip, timeout: 180_000 }, async () => {
    await withInstance({ ...log.env }, (i) => runSuiteAndAssert(i, ['rate-limit']));
  });
}
