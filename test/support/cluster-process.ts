/**
 * `npm start`'s entry (src/cli/serve.ts) as a child process with several cluster workers, in
 * production mode, on a free loopback port and a fresh data directory. Resolves once every
 * worker listens (their `info` log lines tell: keep JARVIS_LOG_LEVEL at info or below); `stop` sends SIGTERM (SIGKILL after 20 s) and removes the data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ClusterProcess {
  readonly base: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startClusterProcess(env: Record<string, string>, workers = 2): Promise<ClusterProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jarvis-cluster-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      JARVIS_WORKERS: String(workers),
      JARVIS_HOST: '127.0.0.1',
      JARVIS_PORT: String(port),
      JARVIS_METRICS_PORT: '0',
      JARVIS_LOG_LEVEL: 'info',
      JARVIS_DATA_DIR: dataDir,
      OTEL_SDK_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  // Every worker logs once that it listens.
  while ((out.match(/jarvis api listening/g) ?? []).length < workers) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${workers} workers did not start (exit ${child.exitCode}):\n${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base: `http://127.0.0.1:${port}`, child, stop };
}
