/**
 * The suite's options: command-line flags and the environment, parsed once into a frozen object.
 * This is the only file of the suite that looks at argv and the environment, so the in-process
 * end-to-end test can build the same object by hand.
 */
import { parseArgs } from 'node:util';

/** Every group, in the order they run. rate-limit is last because it spends the budget. */
export const GROUPS = [
  'health', 'headers', 'hosts', 'authentication', 'authorization', 'input', 'audio',
  'admin', 'metrics', 'hygiene', 'slow', 'rate-limit',
] as const;
export type GroupName = (typeof GROUPS)[number];

/** The keys the suite can use; each is optional and checks needing a missing one are skipped. */
export interface SuiteKeys {
  readonly admin?: string | undefined;
  /** read only */
  readonly read?: string | undefined;
  /** read + chat, no stream */
  readonly chat?: string | undefined;
  /** read + chat + stream */
  readonly full?: string | undefined;
}

export interface SuiteOptions {
  readonly url: URL;
  readonly keys: SuiteKeys;
  readonly groups: readonly GroupName[];
  /** Write the JSON report here ('-' for stdout), or nothing. */
  readonly json: string | undefined;
  /** An origin listed in the target's JARVIS_ALLOWED_ORIGINS, to check CORS positively. */
  readonly allowedOrigin: string | undefined;
  /** The target sets JARVIS_TRUSTED_HOSTS, so a foreign Host must be refused. */
  readonly untrustedHostExpected: boolean;
  /** The target trusts this client as a proxy (JARVIS_TRUSTED_PROXIES covers it). */
  readonly trustedProxy: boolean;
  /** The target's JARVIS_JWT_SECRET, if known: enables properly signed claim attacks. */
  readonly jwtSecret: string | undefined;
  readonly maxBodyBytes: number;
  /** Hard cap on the requests the whole run may send. */
  readonly maxRequests: number;
  /** Hard cap on the requests the rate-limit group may spend looking for a 429. */
  readonly rateLimitCap: number;
  /** Seconds the run may spend waiting out unexpected 429s (Retry-After). */
  readonly maxRateLimitWaitS: number;
  readonly insecureTls: boolean;
  readonly verbose: boolean;
  /** Create missing role keys with the admin key (and revoke them at the end). */
  readonly provision: boolean;
}

/** Thrown for a bad flag or variable; run.ts prints it and exits 2. */
export class OptionsError extends Error {}

const USAGE = `usage: npm run test:security -- --url URL [--only g1,g2] [--skip g1,g2] [--json FILE|-] [--no-provision]
groups: ${GROUPS.join(', ')}`;

function groupList(raw: readonly string[], flag: string): GroupName[] {
  const names = raw.flatMap((r) => r.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(GROUPS as readonly string[]).includes(n)) throw new OptionsError(`${flag}: unknown group "${n}"\n${USAGE}`);
  }
  return names as GroupName[];
}

function positiveInt(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new OptionsError(`${name}: expected a positive whole number, got "${raw}"`);
  return Number(raw);
}

const flag = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v);
const opt = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/** Parses argv (without node and script) and an environment into options. */
export function parseOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): SuiteOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      url: { type: 'string' },
      only: { type: 'string', multiple: true },
      skip: { type: 'string', multiple: true },
      json: { type: 'string' },
      'max-requests': { type: 'string' },
      'rate-limit-cap': { type: 'string' },
      insecure: { type: 'boolean' },
      'no-provision': { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) throw new OptionsError(USAGE);
  const rawUrl = values.url ?? opt(env.JARVIS_SECURITY_URL);
  if (!rawUrl) throw new OptionsError(`no target: pass --url URL or set JARVIS_SECURITY_URL\n${USAGE}`);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new OptionsError(`--url: not a URL: "${rawUrl}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OptionsError(`--url: only http and https, got ${url.protocol}`);
  if (url.pathname !== '/' || url.search || url.hash) throw new OptionsError('--url: give the origin only (scheme, host, port), the suite adds the paths');

  const only = groupList(values.only ?? [], '--only');
  const skip = new Set(groupList(values.skip ?? [], '--skip'));
  const groups = (only.length > 0 ? GROUPS.filter((g) => only.includes(g)) : [...GROUPS]).filter((g) => !skip.has(g));

  return Object.freeze({
    url,
    keys: Object.freeze({
      admin: opt(env.JARVIS_ADMIN_KEY),
      read: opt(env.JARVIS_TEST_KEY_READ),
      chat: opt(env.JARVIS_TEST_KEY_CHAT),
      full: opt(env.JARVIS_TEST_KEY_FULL),
    }),
    groups,
    json: values.json,
    allowedOrigin: opt(env.JARVIS_TEST_ALLOWED_ORIGIN),
    untrustedHostExpected: flag(env.JARVIS_TEST_UNTRUSTED_HOST_EXPECTED),
    trustedProxy: flag(env.JARVIS_TEST_TRUSTED_PROXY),
    jwtSecret: opt(env.JARVIS_TEST_JWT_SECRET),
    maxBodyBytes: positiveInt(env.JARVIS_TEST_MAX_BODY_BYTES, 'JARVIS_TEST_MAX_BODY_BYTES', 10 * 1024 * 1024),
    maxRequests: positiveInt(values['max-requests'], '--max-requests', 1500),
    rateLimitCap: positiveInt(values['rate-limit-cap'], '--rate-limit-cap', 200),
    maxRateLimitWaitS: positiveInt(env.JARVIS_TEST_MAX_RATE_LIMIT_WAIT, 'JARVIS_TEST_MAX_RATE_LIMIT_WAIT', 180),
    insecureTls: values.insecure === true || flag(env.JARVIS_TEST_INSECURE_TLS),
    verbose: values.verbose === true,
    provision: values['no-provision'] !== true,
  });
}

/** The same options built from a plain object, for in-process use (tests). */
export function suiteOptions(partial: Partial<SuiteOptions> & { url: URL }): SuiteOptions {
  return Object.freeze({
    keys: {},
    groups: [...GROUPS],
    json: undefined,
    allowedOrigin: undefined,
    untrustedHostExpected: false,
    trustedProxy: false,
    jwtSecret: undefined,
    maxBodyBytes: 10 * 1024 * 1024,
    maxRequests: 1500,
    rateLimitCap: 200,
    maxRateLimitWaitS: 180,
    insecureTls: false,
    verbose: false,
    provision: true,
    ...partial,
  });
}
