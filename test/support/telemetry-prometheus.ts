/**
 * Starts a real Prometheus (Debian's package, installed by scripts/prometheus/install.sh) on a
 * loopback port with a temporary config and storage, scraping the given targets as job
 * `jarvis-api` every second and evaluating the alert rule files. Stops it and removes its
 * files on `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export interface PrometheusHandle {
  readonly url: string;
  /** Instant query; throws unless Prometheus answers `success`. */
  query(expr: string, time?: number): Promise<PromResult>;
  /** Range query over the last `seconds`. */
  queryRange(expr: string, seconds: number, stepSeconds: number): Promise<PromResult>;
  /** GET any API path, parsed. */
  api<T>(pathAndQuery: string): Promise<T>;
  /** The log Prometheus wrote (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export interface PromResult {
  readonly resultType: string;
  readonly result: ReadonlyArray<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPrometheus(opts: { targets: readonly string[]; ruleFiles: readonly string[]; intervalSeconds?: number }): Promise<PrometheusHandle> {
  const dir = mkdtempSync(path.join(tmpdir(), 'jarvis-prometheus-'));
  const port = await freePort();
  const interval = `${opts.intervalSeconds ?? 1}s`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: [...opts.ruleFiles],
    scrape_configs: [{ job_name: 'jarvis-api', scrape_interval: interval, scrape_timeout: interval, static_configs: [{ targets: [...opts.targets] }] }],
  };
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  const logFile = path.join(dir, 'prometheus.log');
  writeFileSync(logFile, '');
  const { openSync } = await import('node:fs');
  const out = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      'prometheus',
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--enable-feature=exemplar-storage',
        '--log.level=warn',
        '--web.enable-lifecycle',
      ],
      { stdio: ['ignore', out, out] },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', () => {});
  const url = `http://127.0.0.1:${port}`;
  const log = (): string => readFileSync(logFile, 'utf8');

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready when /-/ready answers 200 (Debian's build needs a second or two for the TSDB).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      const text = log();
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}: ${text.slice(-2000)}`);
    }
    try {
      const r = await fetch(`${url}/-/ready`);
      await r.text();
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('prometheus did not become ready within 30 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const api = async <T>(p: string): Promise<T> => {
    const res = await fetch(url + p);
    const body = (await res.json()) as { status: string; data: T; error?: string; errorType?: string };
    if (body.status !== 'success') throw new Error(`${p}: ${body.errorType ?? ''} ${body.error ?? res.status}`);
    return body.data;
  };
  return {
    url,
    api,
    log,
    stop,
    query: (expr, time) => api<PromResult>(`/api/v1/query?query=${encodeURIComponent(expr)}${time ? `&time=${time}` : ''}`),
    queryRange: (expr, seconds, step) => {
      const end = Date.now() / 1000;
      return api<PromResult>(`/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${end - seconds}&end=${end}&step=${step}`);
    },
  };
}
