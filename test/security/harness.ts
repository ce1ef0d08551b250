/**
 * The check model: a group is an ordered list of named checks (names are sentences); a check
 * passes by returning, fails by throwing, and is skipped by throwing `Skip` with a reason.
 * `Ctx` is what a check may use: the options, the client, the keys, a run-wide memo and cleanups.
 */
import type { GroupName, SuiteKeys, SuiteOptions } from './options.ts';
import type { Client } from './http.ts';

export class Skip extends Error {
  override readonly name = 'Skip';
}

/** Ends the current check as skipped, with the reason shown in the report. */
export function skip(reason: string): never {
  throw new Skip(reason);
}

export interface Ctx {
  readonly options: SuiteOptions;
  readonly client: Client;
  /** The key of that kind, or the check is skipped naming the variable to set. */
  key(kind: keyof SuiteKeys): string;
  /** Any configured key (read preferred), or skip. */
  anyKey(): string;
  /** Registers an undo action; all run at the end of the run, newest first, even after failures. */
  onCleanup(label: string, fn: () => Promise<void>): void;
  /** Computes a value once per run (a minted JWT, a created key). A failure is not cached. */
  memo<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Adds a line of detail to the current check's report entry. */
  note(message: string): void;
}

export interface Check {
  readonly name: string;
  readonly timeoutMs?: number;
  run(ctx: Ctx): Promise<void>;
}

export interface Group {
  readonly name: GroupName;
  readonly checks: readonly Check[];
}

/** Declares a check. */
export function check(name: string, run: (ctx: Ctx) => Promise<void>, timeoutMs?: number): Check {
  return timeoutMs === undefined ? { name, run } : { name, run, timeoutMs };
}

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  readonly group: string;
  readonly name: string;
  readonly outcome: Outcome;
  readonly reason?: string;
  readonly notes?: readonly string[];
  readonly durationMs: number;
}

const KEY_VARS: Record<keyof SuiteKeys, string> = {
  admin: 'JARVIS_ADMIN_KEY',
  read: 'JARVIS_TEST_KEY_READ',
  chat: 'JARVIS_TEST_KEY_CHAT',
  full: 'JARVIS_TEST_KEY_FULL',
};

/** Builds the context shared by all checks of one run. */
export function createContext(options: SuiteOptions, client: Client, notes: () => string[]): Ctx & { cleanups: { label: string; fn: () => Promise<void> }[] } {
  const memos = new Map<string, Promise<unknown>>();
  const cleanups: { label: string; fn: () => Promise<void> }[] = [];
  return {
    options,
    client,
    cleanups,
    key(kind) {
      const k = options.keys[kind];
      if (!k) skip(`needs ${KEY_VARS[kind]}`);
      return k;
    },
    anyKey() {
      const { read, chat, full, admin } = options.keys;
      const k = read ?? chat ?? full ?? admin;
      if (!k) skip('needs any key (JARVIS_TEST_KEY_READ or another)');
      return k;
    },
    onCleanup(label, fn) {
      cleanups.push({ label, fn });
    },
    memo<T>(name: string, fn: () => Promise<T>): Promise<T> {
      let p = memos.get(name) as Promise<T> | undefined;
      if (!p) {
        p = fn();
        memos.set(name, p);
        p.catch(() => memos.delete(name));
      }
      return p;
    },
    note(message) {
      notes().push(message);
    },
  };
}

/**
 * Runs one check with its time bound; never throws. Time spent waiting out a target's 429s
 * (`waitedMs`) does not count against the bound: a slow target is not a failing one.
 */
export async function runCheck(group: string, c: Check, ctx: Ctx, notes: string[], defaultTimeoutMs: number, waitedMs: () => number = () => 0): Promise<CheckResult> {
  const started = Date.now();
  const waitedAtStart = waitedMs();
  const limit = c.timeoutMs ?? defaultTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const tick = (): void => {
      const used = Date.now() - started - (waitedMs() - waitedAtStart);
      if (used >= limit) reject(new Error(`timed out after ${limit} ms`));
      else timer = setTimeout(tick, Math.min(1000, limit - used));
    };
    timer = setTimeout(tick, Math.min(1000, limit));
  });
  const base = { group, name: c.name };
  try {
    await Promise.race([c.run(ctx), timeout]);
    return { ...base, outcome: 'passed', durationMs: Date.now() - started, ...(notes.length ? { notes } : {}) };
  } catch (e) {
    const durationMs = Date.now() - started;
    if (e instanceof Skip) return { ...base, outcome: 'skipped', reason: e.message, durationMs, ...(notes.length ? { notes } : {}) };
    const reason = e instanceof Error ? e.message : String(e);
    return { ...base, outcome: 'failed', reason, durationMs, ...(notes.length ? { notes } : {}) };
  } finally {
    clearTimeout(timer);
  }
}
