/**
 * Zero configuration for newcomers: with NODE_ENV unset or `development`, a missing JWT secret
 * and missing keys are generated on first start and kept in `<JARVIS_DATA_DIR>/bootstrap.json`
 * (mode 600). The caller prints the keys once, then calls `markKeysShown`: a start that fails
 * before printing them (a bad variable, say) leaves them to be printed by the next start.
 * Production never bootstraps: a missing or weak secret stops the start (see loadConfig).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Env } from './parse.ts';

interface BootstrapFile {
  readonly jwt_secret: string;
  readonly keys: Record<string, string>;
  /** False until the keys have been printed. Absent in files of earlier versions, which printed them when they made them. */
  readonly shown?: boolean;
}

export interface Bootstrapped {
  /** The environment with generated values filled in where the real one had none. */
  readonly env: Env;
  /** Generated keys in use and not printed yet: print them, then call `markKeysShown(file)`. */
  readonly unshown: readonly { label: string; variable: string; key: string }[];
  /** True when generated keys are in use (printed or not): bootstrap.json holds them. */
  readonly generatedKeys: boolean;
  readonly file: string | null;
}

const KEYS = [
  { label: 'Production API Key', variable: 'JARVIS_API_KEY_1', name: 'production', permissions: 'read,chat,stream' },
  { label: 'Mobile API Key', variable: 'JARVIS_API_KEY_2', name: 'mobile', permissions: 'read,chat,stream' },
  { label: 'Admin Key', variable: 'JARVIS_ADMIN_KEY', name: 'admin', permissions: '' },
] as const;

const secret = (bytes: number) => randomBytes(bytes).toString('base64url');

/** Fills in a development environment; returns `env` untouched in production or when complete. */
export function bootstrapEnv(env: Env): Bootstrapped {
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (nodeEnv !== 'development') return { env, unshown: [], generatedKeys: false, file: null };
  const hasKeys = Object.keys(env).some((k) => /^JARVIS_API_KEY_\d+$/.test(k) && env[k]) || !!env.JARVIS_ADMIN_KEY;
  if (env.JARVIS_JWT_SECRET && hasKeys) return { env, unshown: [], generatedKeys: false, file: null };

  const dir = path.resolve(env.JARVIS_DATA_DIR || './data');
  const file = path.join(dir, 'bootstrap.json');
  let stored: BootstrapFile;
  if (existsSync(file)) {
    stored = JSON.parse(readFileSync(file, 'utf8')) as BootstrapFile;
  } else {
    const keys: Record<string, string> = {};
    for (const k of KEYS) keys[k.variable] = `jarvis_${secret(32)}`;
    stored = { jwt_secret: secret(64), keys, shown: false };
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeStored(file, stored);
  }
  const filled: Record<string, string | undefined> = { ...env };
  filled.JARVIS_JWT_SECRET ||= stored.jwt_secret;
  if (!hasKeys) {
    for (const k of KEYS) {
      filled[k.variable] = stored.keys[k.variable];
      if (k.variable !== 'JARVIS_ADMIN_KEY') {
        filled[`${k.variable}_NAME`] ||= k.name;
        filled[`${k.variable}_PERMISSIONS`] ||= k.permissions;
      }
    }
  }
  const unshown = hasKeys || stored.shown !== false ? [] : KEYS.map((k) => ({ label: k.label, variable: k.variable, key: stored.keys[k.variable]! }));
  return { env: filled, unshown, generatedKeys: !hasKeys, file };
}

/** Records in `file` (bootstrap.json) that its keys have been printed. */
export function markKeysShown(file: string): void {
  const stored = JSON.parse(readFileSync(file, 'utf8')) as BootstrapFile;
  writeStored(file, { ...stored, shown: true });
}

function writeStored(file: string, stored: BootstrapFile): void {
  writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}
