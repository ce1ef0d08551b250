/**
 * Resolves docker-compose.yml with two real Compose implementations and brings their output
 * to one shape, so the same assertions run on both:
 *   - Compose v2's loader, compose-go (`.tools/compose-validate`, scripts/deployment/build-compose-validate.sh);
 *   - Compose v1, Debian's docker-compose (`docker-compose config`).
 * Both validate against their schema, interpolate from the env file and resolve merge keys.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { parse } from 'yaml';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

/** One service, as both parsers agree on it. */
export interface Service {
  readonly image?: string;
  readonly command?: string[];
  readonly readOnly: boolean;
  readonly capDrop: string[];
  readonly capAdd: string[];
  readonly securityOpt: string[];
  readonly restart?: string;
  readonly privileged: boolean;
  /** undefined: no healthcheck; []: disabled. */
  readonly healthTest?: string[];
  readonly replicas: number;
  readonly cpus?: number;
  readonly memoryBytes?: number;
  readonly environment: Record<string, string>;
  readonly envFiles: string[];
  /** host_ip:published:target, host_ip empty when unset. */
  readonly ports: string[];
  /** source:target[:ro], sources relative to the project directory. */
  readonly binds: string[];
  readonly networks: Record<string, { ipv4_address?: string } | null>;
}

export interface Model {
  readonly services: Record<string, Service>;
  readonly networks: Record<string, { internal?: boolean }>;
}

export interface Parser {
  readonly name: string;
  /** Resolves `<dir>/docker-compose.yml` with `<dir>/deployment/.env`; rejects with the parser's message. */
  resolve(dir: string): Promise<Model>;
}

const UNITS: Record<string, number> = { b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };
function bytes(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)([a-z]*)$/i.exec(String(v).trim());
  return m ? Number(m[1]) * (UNITS[(m[2] || 'b').toLowerCase()] ?? NaN) : NaN;
}

type Raw = Record<string, unknown> & {
  deploy?: { replicas?: number; resources?: { limits?: { cpus?: number | string; memory?: string | number } } };
  healthcheck?: { test?: string[]; disable?: boolean };
  environment?: Record<string, string | null>;
  env_file?: (string | { path: string })[];
  ports?: (string | { host_ip?: string; published?: string | number; target?: number })[];
  volumes?: (string | { type: string; source?: string; target: string; read_only?: boolean })[];
  networks?: Record<string, { ipv4_address?: string } | null>;
};

function normalise(raw: Raw, dir: string): Service {
  const rel = (p: string): string => (p.startsWith(dir) ? '.' + p.slice(dir.length) : p);
  const hc = raw.healthcheck;
  const limits = raw.deploy?.resources?.limits;
  return {
    image: raw.image as string | undefined,
    command: raw.command as string[] | undefined,
    readOnly: raw.read_only === true,
    capDrop: (raw.cap_drop as string[] | undefined) ?? [],
    capAdd: (raw.cap_add as string[] | undefined) ?? [],
    securityOpt: (raw.security_opt as string[] | undefined) ?? [],
    restart: raw.restart as string | undefined,
    privileged: raw.privileged === true,
    healthTest: hc === undefined ? undefined : hc.disable === true || hc.test?.[0] === 'NONE' ? [] : hc.test,
    replicas: raw.deploy?.replicas ?? 1,
    cpus: limits?.cpus === undefined ? undefined : Number(limits.cpus),
    memoryBytes: bytes(limits?.memory),
    environment: Object.fromEntries(Object.entries(raw.environment ?? {}).map(([k, v]) => [k, v ?? ''])),
    envFiles: (raw.env_file ?? []).map((e) => rel(typeof e === 'string' ? e : e.path)),
    ports: (raw.ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.host_ip ?? ''}:${p.published}:${p.target}`)),
    binds: (raw.volumes ?? []).flatMap((v) => {
      if (typeof v === 'string') {
        const [src, dst, mode] = v.split(':');
        return src!.startsWith('/') || src!.startsWith('.') ? [`${rel(src!)}:${dst}${mode === 'ro' ? ':ro' : ''}`] : [];
      }
      return v.type === 'bind' ? [`${rel(v.source!)}:${v.target}${v.read_only ? ':ro' : ''}`] : [];
    }),
    networks: raw.networks ?? {},
  };
}

function model(doc: { services: Record<string, Raw>; networks?: Record<string, { internal?: boolean }> }, dir: string): Model {
  return {
    services: Object.fromEntries(Object.entries(doc.services).map(([name, s]) => [name, normalise(s, dir)])),
    networks: doc.networks ?? {},
  };
}

/** Compose v2's loader (compose-go), as `docker compose config` runs it. */
export const composeV2: Parser = {
  name: 'Compose v2 (compose-go)',
  async resolve(dir) {
    const bin = path.join(root, '.tools/compose-validate');
    const { stdout } = await run(bin, ['-f', path.join(dir, 'docker-compose.yml'), '--env-file', path.join(dir, 'deployment/.env')], { timeout: 60_000 });
    return model(JSON.parse(stdout) as { services: Record<string, Raw> }, dir);
  },
};

/** Compose v1 (Debian's docker-compose 1.29). */
export const composeV1: Parser = {
  name: 'Compose v1 (docker-compose)',
  async resolve(dir) {
    const { stdout } = await run('docker-compose', ['--env-file', 'deployment/.env', '-f', 'docker-compose.yml', 'config'], { cwd: dir, timeout: 60_000 });
    return model(parse(stdout) as { services: Record<string, Raw> }, dir);
  },
};
