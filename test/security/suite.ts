/**
 * Runs the selected groups against one target, in order, then the cleanups, and returns the
 * report. Used by run.ts (the CLI) and in-process by suite.e2e.test.ts.
 */
import { Client } from './http.ts';
import { createContext, runCheck, type CheckResult, type Group } from './harness.ts';
import type { GroupName, SuiteOptions } from './options.ts';
import { formatResult, tally, type Report } from './report.ts';
import { provisionKeys } from './provision.ts';
import { health } from './groups/health.ts';
import { headers } from './groups/headers.ts';
import { hosts } from './groups/hosts.ts';
import { authentication } from './groups/authentication.ts';
import { authorization } from './groups/authorization.ts';
import { input } from './groups/input.ts';
import { audio } from './groups/audio.ts';
import { admin } from './groups/admin.ts';
import { metrics } from './groups/metrics.ts';
import { hygiene } from './groups/hygiene.ts';
import { slow } from './groups/slow.ts';
import { rateLimit } from './groups/rate-limit.ts';

const ALL: Record<GroupName, Group> = {
  health, headers, hosts, authentication, authorization, input, audio, admin, metrics, hygiene, slow, 'rate-limit': rateLimit,
};

/** Every group's checks, by group: for listing and for tests. */
export function allGroups(): readonly Group[] {
  return Object.values(ALL);
}

const DEFAULT_CHECK_TIMEOUT_MS = 30_000;

/** Runs the suite; `print` gets one line per check as it finishes. */
export async function runSuite(options: SuiteOptions, print: (line: string) => void = () => {}): Promise<Report> {
  const started = Date.now();
  const client = new Client({ url: options.url, maxRequests: options.maxRequests, maxRateLimitWaitS: options.maxRateLimitWaitS, insecureTls: options.insecureTls });
  const results: CheckResult[] = [];
  const record = (r: CheckResult): void => {
    results.push(r);
    print(formatResult(r, options.verbose));
  };
  client.currentCheck = 'provision';
  const provisioned = options.provision && options.groups.some((g) => g !== 'health' && g !== 'slow' && g !== 'metrics')
    ? await provisionKeys(client, options.keys)
    : undefined;
  for (const n of provisioned?.notes ?? []) print(`     ${n}`);
  const effective: SuiteOptions = provisioned ? { ...options, keys: provisioned.keys } : options;
  let notes: string[] = [];
  const ctx = createContext(effective, client, () => notes);
  let abort: string | undefined;

  for (const name of options.groups) {
    const group = ALL[name];
    if (!abort && results.length > 0) {
      abort = await stillServed(client);
      if (abort) record({ group: name, name: 'the target still serves this client when the group starts', outcome: 'failed', reason: abort, durationMs: 0 });
    }
    for (const c of group.checks) {
      if (abort) {
        record({ group: name, name: c.name, outcome: 'skipped', reason: abort, durationMs: 0 });
        continue;
      }
      notes = [];
      client.currentCheck = `${name} › ${c.name}`;
      const r = await runCheck(name, c, ctx, notes, DEFAULT_CHECK_TIMEOUT_MS, () => client.waitedMs);
      record(r);
      if (r.outcome === 'failed' && /request budget of \d+ spent/.test(r.reason ?? '')) abort = 'skipped: the run\'s request budget is spent (--max-requests)';
    }
  }

  // undo what the run created, newest first; a failed undo is a failure of the run
  client.currentCheck = 'cleanup';
  for (const { label, fn } of ctx.cleanups.reverse()) {
    const t0 = Date.now();
    try {
      await fn();
    } catch (e) {
      record({ group: 'cleanup', name: label, outcome: 'failed', reason: e instanceof Error ? e.message : String(e), durationMs: Date.now() - t0 });
    }
  }

  for (const failure of (await provisioned?.revoke()) ?? []) record({ group: 'cleanup', name: failure, outcome: 'failed', reason: failure, durationMs: 0 });

  return {
    target: options.url.origin,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    requests: client.sent,
    rateLimitWaitMs: client.waitedMs,
    results,
    ...tally(results),
  };
}

/**
 * Between groups: if /health is refused with 403 the target has blocked this client (an IP
 * block or brute-force protection), and every later check would fail for that one reason.
 */
async function stillServed(client: Client): Promise<string | undefined> {
  try {
    const res = await client.request({ path: '/health', timeoutMs: 5000 });
    if (res.status === 403) return 'the target now refuses this client (403 on /health): blocked by brute-force protection or an IP rule; raise JARVIS_BRUTE_FORCE_THRESHOLD on the target for this suite';
    return undefined;
  } catch (e) {
    return `the target stopped answering: ${e instanceof Error ? e.message : String(e)}`;
  }
}
