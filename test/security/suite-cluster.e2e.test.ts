/**
 * The black-box security suite against `npm start`'s entry with JARVIS_WORKERS=2 in production
 * mode (the default deployment runs 4): every check also has to hold when consecutive requests
 * land on different workers. Like suite.e2e.test.ts: one instance with a large rate limit for
 * every group but rate-limit and slow, one with the contract's default limits for the rate-limit
 * group (where the primary's count keeps the limits exact across workers).
 */
import { test } from 'node:test';
import { startOpenAIStandIn } from '../support/chat-openai-server.ts';
import { startClusterProcess } from '../support/cluster-process.ts';
import { runSuiteAndAssert, suiteInstanceEnv, type SuiteTarget } from '../support/security-e2e.ts';
import { GROUPS } from './options.ts';

async function withCluster(env: Record<string, string>, fn: (t: SuiteTarget) => Promise<void>): Promise<void> {
  const llm = await startOpenAIStandIn({});
  const { keys, jwtSecret, env: suiteEnv } = suiteInstanceEnv(llm.url);
  const cluster = await startClusterProcess({ ...suiteEnv, ...env }).catch(async (err: unknown) => {
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
