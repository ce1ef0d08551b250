/**
 * The black-box security suite against `npm start`'s entry with JARVIS_WORKERS=2 in production
 * mode (the default deployment runs 4): every check also has to hold when consecutive requests
 * land on different workers. Like suite.e2e.test.ts: one instance with a large rate limit for
 * every group but rate-limit and slow, one with the contract's default limits for the rate-limit
 * group (where the primary's count keeps the limits exact across workers).
 */
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { startOpenAIStandIn } from '../support/chat-openai-server.ts';
import { startClusterProcess } from '../support/cluster-process.ts';
import { ALLOWED_ORIGIN, runSuiteAndAssert } from '../support/security-e2e.ts';
import { GROUPS } from './options.ts';

const secret = (n = 24): string => randomBytes(n).toString('base64url');

async function withCluster(env: Record<string, string>, fn: (t: { url: URL; keys: { admin: string; read: string; chat: string; full: string }; jwtSecret: string }) => Promise<void>): Promise<void> {
  const llm = await startOpenAIStandIn({});
  const keys = { admin: `adm-${secret()}`, read: `rd-${secret()}`, chat: `ch-${secret()}`, full: `fl-${secret()}` };
  const jwtSecret = secret(64);
  const cluster = await startClusterProcess({
    JARVIS_JWT_SECRET: jwtSecret,
    JARVIS_ADMIN_KEY: keys.admin,
    JARVIS_API_KEY_1: keys.read,
    JARVIS_API_KEY_1_PERMISSIONS: 'read',
    JARVIS_API_KEY_2: keys.chat,
    JARVIS_API_KEY_2_PERMISSIONS: 'read,chat',
    JARVIS_API_KEY_3: keys.full,
    JARVIS_API_KEY_3_PERMISSIONS: 'read,chat,stream',
    JARVIS_TRUSTED_HOSTS: '127.0.0.1,localhost',
    JARVIS_ALLOWED_ORIGINS: ALLOWED_ORIGIN,
    JARVIS_LOCAL_LLM_URL: llm.url,
    JARVIS_TTS_ENGINE: 'embedded',
    JARVIS_BRUTE_FORCE_THRESHOLD: '100000',
    ...env,
  }).catch(async (err: unknown) => {
    await llm.close();
    throw err;
  });
  try {
    await fn({ url: new URL(cluster.base), keys, jwtSecret });
  } finally {
    await cluster.stop();
    await llm.close();
  }
}

test('the security suite passes against two cluster workers (all groups but rate-limit and slow)', { timeout: 240_000 }, async () => {
  await withCluster({ JARVIS_RATE_LIMIT_API: '100000/min', JARVIS_RATE_LIMIT_STREAM: '100000/min' }, (t) => runSuiteAndAssert(t, GROUPS.filter((g) => g !== 'rate-limit' && g !== 'slow')));
});

test('the rate-limit group passes against two cluster workers with the default limits', { timeout: 180_000 }, async () => {
  await withCluster({}, (t) => runSuiteAndAssert(t, ['rate-limit']));
});
