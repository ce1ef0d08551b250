/** Runs groups of the black-box security suite against a local instance and fails the test on any failed check. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { suiteOptions, type GroupName, type SuiteKeys } from '../security/options.ts';
import { formatResult, summaryLine } from '../security/report.ts';
import { runSuite } from '../security/suite.ts';

/** The origin local test instances list in JARVIS_ALLOWED_ORIGINS. */
export const ALLOWED_ORIGIN = 'https://app.example.test';

const secret = (n = 24): string => randomBytes(n).toString('base64url');

/**
 * Fresh keys of each kind, a JWT secret, and the environment a test instance needs for the whole
 * suite to apply: trusted hosts, the allowed origin, the chat stand-in, the embedded speech engine.
 */
export function suiteInstanceEnv(llmUrl: string): { keys: SuiteKeys & { admin: string; read: string; chat: string; full: string }; jwtSecret: string; env: Record<string, string> } {
  const keys = { admin: `adm-${secret()}`, read: `rd-${secret()}`, chat: `ch-${secret()}`, full: `fl-${secret()}` };
  const jwtSecret = secret(64);
  return {
    keys,
    jwtSecret,
    env: {
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
      JARVIS_LOCAL_LLM_URL: llmUrl,
      JARVIS_TTS_ENGINE: 'embedded',
      // the suite fails authentication on purpose dozens of times from one address
      JARVIS_BRUTE_FORCE_THRESHOLD: '100000',
    },
  };
}

export interface SuiteTarget {
  readonly url: URL;
  readonly keys: SuiteKeys;
  readonly jwtSecret: string;
}

export async function runSuiteAndAssert(t: SuiteTarget, groups: readonly GroupName[]): Promise<void> {
  const report = await runSuite(suiteOptions({
    url: t.url,
    keys: t.keys,
    groups,
    allowedOrigin: ALLOWED_ORIGIN,
    untrustedHostExpected: true,
    jwtSecret: t.jwtSecret,
    maxRateLimitWaitS: 30,
  }), () => {});
  const failed = report.results.filter((r) => r.outcome === 'failed').map((r) => formatResult(r));
  const skipped = report.results.filter((r) => r.outcome === 'skipped').map((r) => `${r.group} › ${r.name}: ${r.reason}`);
  if (skipped.length) console.log(`skipped:\n${skipped.join('\n')}`);
  assert.equal(report.failed, 0, `${summaryLine(report)}\n${failed.join('\n')}`);
  assert.ok(report.passed > 0, 'nothing passed');
}
