/**
 * A newcomer's first `npm start` (src/cli/serve.ts, development, no variables): the generated
 * keys are printed once and work. If that first start fails on a bad variable, the keys are
 * printed by the next start that gets that far, not lost.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

interface Started {
  readonly out: string;
  readonly code: number | null;
}

/**
 * Runs serve.ts with `env` until it exits, or until it is listening: then calls `whileUp` with
 * the API's URL and stops it with SIGTERM.
 */
function runServe(env: Record<string, string>, whileUp?: (url: string) => Promise<void>): Promise<Started> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('JARVIS_') && k !== 'NODE_ENV')) as Record<string, string>;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts'], { env: { ...base, JARVIS_HOST: '127.0.0.1', JARVIS_PORT: '0', JARVIS_METRICS_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let up = false;
  const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1];
      if (url && !up) {
        up = true;
        (whileUp ?? (() => Promise.resolve()))(url).then(() => child.kill('SIGTERM'), (err: unknown) => {
          child.kill('SIGTERM');
          reject(err as Error);
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve({ out, code });
    });
  });
}

const printedKeys = (out: string): string[] => [...out.matchAll(/^ {2}(?:Production API Key|Mobile API Key|Admin Key): (\S+)$/gm)].map((m) => m[1]!);

test('the keys of a first start that failed on a bad variable are printed by the next start, once, and work', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'jarvis-first-start-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const failed = await runServe({ JARVIS_DATA_DIR: dir, JARVIS_RATE_LIMIT_API: 'lots' });
  assert.equal(failed.code, 78, failed.out);
  assert.match(failed.out, /JARVIS_RATE_LIMIT_API/);
  assert.deepEqual(printedKeys(failed.out), []);

  const stored = () => JSON.parse(readFileSync(path.join(dir, 'bootstrap.json'), 'utf8')) as { keys: Record<string, string> };
  let status = 0;
  const next = await runServe({ JARVIS_DATA_DIR: dir }, async (url) => {
    const res = await fetch(`${url}/status`, { headers: { authorization: `Bearer ${stored().keys.JARVIS_API_KEY_1}` } });
    status = res.status;
    await res.arrayBuffer();
  });
  assert.deepEqual(printedKeys(next.out), Object.values(stored().keys));
  assert.equal(status, 200, 'the printed production key authenticates');

  const later = await runServe({ JARVIS_DATA_DIR: dir });
  assert.deepEqual(printedKeys(later.out), [], 'printed once');
  assert.match(later.out, /using the keys generated on first start, kept in .*bootstrap\.json/);
  for (const key of Object.values(stored().keys)) assert.ok(!later.out.includes(key), 'no key in a later start');
});
