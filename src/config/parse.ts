/**
 * Small parsers for environment values. Each throws ConfigError naming the variable,
 * so a bad value stops the start with one clear line.
 */
export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

export function optStr(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

export function int(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `expected a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new ConfigError(name, `expected true or false, got "${v}"`);
}

export function list(env: Env, name: string): string[] {
  const v = env[name];
  if (v === undefined) return [];
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

export function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (!(values as readonly string[]).includes(v)) throw new ConfigError(name, `expected one of ${values.join(', ')}, got "${v}"`);
  return v as T;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3 };

/** `10mb`, `512kb`, `1048576` → bytes. */
export function size(env: Env, name: string, fallback: string): number {
  const raw = str(env, name, fallback).trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(raw);
  const unit = m ? SIZE_UNITS[m[2] || 'b'] : undefined;
  if (!m || unit === undefined) throw new ConfigError(name, `expected a size like 10mb, got "${raw}"`);
  return Math.floor(Number(m[1]) * unit);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** `15m`, `30s`, `24h`, `900` (seconds) → milliseconds. */
export function duration(env: Env, name: string, fallback: string): number {
  const raw = str(env, name, fallback).trim().toLowerCase();
  const m = /^(\d+)\s*(ms|s|m|min|h|d)?$/.exec(raw);
  if (!m) throw new ConfigError(name, `expected a duration like 15m or 900s, got "${raw}"`);
  return Number(m[1]) * (m[2] ? DURATION_UNITS[m[2]]! : 1000);
}

export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
  /** Extra requests allowed above `limit` in one window, for bursts. */
  readonly burst: number;
}

const RATE_WINDOWS: Record<string, number> = { s: 1000, sec: 1000, second: 1000, m: 60_000, min: 60_000, minute: 60_000, h: 3_600_000, hour: 3_600_000 };

/** `60/min`, `30/m`, `1000/h`, optionally `+burst`: `60/min+20`. */
export function rate(env: Env, name: string, fallback: string): Rate {
  const raw = str(env, name, fallback).trim().toLowerCase();
  const m = /^(\d+)\s*\/\s*([a-z]+)(?:\s*\+\s*(\d+))?$/.exec(raw);
  const windowMs = m ? RATE_WINDOWS[m[2]!] : undefined;
  if (!m || windowMs === undefined || Number(m[1]) < 1) throw new ConfigError(name, `expected a rate like 60/min (optionally 60/min+20 for a burst), got "${raw}"`);
  return { limit: Number(m[1]), windowMs, burst: m[3] ? Number(m[3]) : 0 };
}
