/**
 * Reads deployment/Dockerfile into stages of instructions (continuation lines joined, comments
 * dropped), so tests can check the image's promises and run its final stage's command as the
 * image would, without a Docker engine.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Instruction { readonly op: string; readonly args: string }
export interface Stage { readonly from: string; readonly name: string | undefined; readonly body: Instruction[] }

export const DOCKERFILE = path.resolve(import.meta.dirname, '../../deployment/Dockerfile');

/** The Dockerfile's stages, in order. */
export function dockerStages(file = DOCKERFILE): Stage[] {
  const text = readFileSync(file, 'utf8').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').replace(/\\\n/g, ' ');
  const out: Stage[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1]!;
    const args = m[2]!;
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args)!;
      out.push({ from: f[1]!, name: f[2], body: [] });
    } else if (out.length > 0) out.at(-1)!.body.push({ op, args });
  }
  return out;
}

/** What the final stage runs and with which settings. */
export interface Runtime {
  readonly env: Record<string, string>;
  readonly user: string;
  readonly workdir: string;
  readonly cmd: string[];
  readonly healthcheck: string[];
  readonly volumes: string[];
}

export function runtimeOf(stage: Stage): Runtime {
  const env: Record<string, string> = {};
  let user = 'root';
  let workdir = '/';
  let cmd: string[] = [];
  let healthcheck: string[] = [];
  const volumes: string[] = [];
  for (const { op, args } of stage.body) {
    if (op === 'ENV') for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
    if (op === 'USER') user = args.trim();
    if (op === 'WORKDIR') workdir = args.trim();
    if (op === 'CMD') cmd = JSON.parse(args) as string[];
    if (op === 'HEALTHCHECK') healthcheck = JSON.parse(/CMD\s+(\[.*\])/.exec(args)?.[1] ?? '[]') as string[];
    if (op === 'VOLUME') volumes.push(...(JSON.parse(args) as string[]));
  }
  return { env, user, workdir, cmd, healthcheck, volumes };
}
