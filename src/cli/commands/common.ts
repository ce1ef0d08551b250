/**
 * What every `jarvis` command shares: exit codes scripts can trust, the API client (JARVIS_URL,
 * JARVIS_ADMIN_KEY — the key is sent, never printed), argument parsing with --help, and plain
 * tables for people.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliEnv } from '../../config/audit.ts';

/** 0 ok, 1 failure (the API refused, the chain is broken, the server is unreachable), 2 usage. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Wrong arguments: printed with the command's usage, exit 2. */
export class UsageError extends Error {}

/** A failure to report: printed as `jarvis: <message>`, exit 1. */
export class CliFailure extends Error {}

/** Where a command writes; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Writes a chunk to stdout, resolving when it may write more (backpressure). */
  write(chunk: string): Promise<void>;
}

export interface Ctx {
  readonly env: CliEnv;
  readonly io: Io;
  readonly signal: AbortSignal;
}

/** A command: its usage text, its options, and what it does with the parsed values. */
export interface Command {
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** How many positionals it takes: [min, max]. */
  readonly positionals?: readonly [number, number];
  run(ctx: Ctx, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

/** Parses argv for `cmd`; `--help` prints its usage. Returns null when help was printed. */
export function parse(cmd: Command, argv: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } | null {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...cmd.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.values.help) return null;
  const [min, max] = cmd.positionals ?? [0, 0];
  if (parsed.positionals.length < min || parsed.positionals.length > max) throw new UsageError(max === 0 ? `unexpected argument ${parsed.positionals[0]}` : `expected ${min === max ? min : `${min} to ${max}`} argument(s)`);
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

/** A request to the API as the admin; a problem answer becomes a CliFailure naming its code. */
export async function api(ctx: Ctx, method: string, path: string, opts: { query?: Record<string, string | undefined>; body?: unknown; headers?: Record<string, string>; ok?: number[] } = {}): Promise<Response> {
  if (!ctx.env.adminKey) throw new CliFailure('JARVIS_ADMIN_KEY is not set (an admin API key)');
  const url = new URL(ctx.env.url + path);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, v);
  const headers: Record<string, string> = { authorization: `Bearer ${ctx.env.adminKey.reveal()}`, ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, { method, headers, signal: ctx.signal, ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }) });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new CliFailure(`cannot reach ${ctx.env.url} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message})`);
  }
  if ((opts.ok ?? [200, 201, 204]).includes(res.status)) return res;
  const text = await res.text();
  let detail = text.slice(0, 300);
  try {
    const p = JSON.parse(text) as { title?: string; detail?: string; code?: string; errors?: { path: string; message: string }[] };
    detail = [p.title, p.detail, p.errors?.map((e) => `${e.path}: ${e.message}`).join('; '), p.code && `(${p.code})`].filter(Boolean).join(' ');
  } catch {
    // not problem+json: show the start of the body
  }
  throw new CliFailure(`${method} ${path} answered ${res.status}: ${detail}`);
}

/** A plain-text table: a header row, then one row per item; cells are cut at `max` characters. */
export function table(rows: readonly Record<string, unknown>[], columns: readonly string[], max = 48): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return s.length > max ? `${s.slice(0, max - 1)}…` : s;
  };
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (vals: readonly string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

/** Prints `value` as JSON (`--json`) or as the text `human` makes. */
export function emit(ctx: Ctx, json: boolean, value: unknown, human: () => string): void {
  ctx.io.out(json ? JSON.stringify(value, null, 2) : human());
}
