/**
 * Starts a real Jarvis (embedded log in a temp directory, ephemeral ports) for HTTP tests,
 * with known keys. `env` overrides any variable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { startJarvis, type Jarvis, type JarvisOptions } from '../../src/main.ts';

export const KEYS = {
  full: 'test-full-key-0123456789abcdef',
  read: 'test-read-key-0123456789abcdef',
  chat: 'test-chat-key-0123456789abcdef',
  admin: 'test-admin-key-0123456789abcdef',
} as const;

export const JWT_SECRET = 'test-jwt-secret-'.padEnd(64, 'x');

export interface TestJarvis {
  readonly jarvis: Jarvis;
  readonly url: string;
  readonly dataDir: string;
  fetch(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestJarvis(env: Record<string, string> = {}, options: JarvisOptions = {}): Promise<TestJarvis> {
  const dataDir = env.JARVIS_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'jarvis-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    JARVIS_DATA_DIR: dataDir,
    JARVIS_PORT: '0',
    JARVIS_METRICS_PORT: '0',
    JARVIS_LOG_LEVEL: 'silent',
    JARVIS_JWT_SECRET: JWT_SECRET,
    JARVIS_API_KEY_1: KEYS.full,
    JARVIS_API_KEY_1_NAME: 'full',
    JARVIS_API_KEY_2: KEYS.read,
    JARVIS_API_KEY_2_PERMISSIONS: 'read',
    JARVIS_API_KEY_3: KEYS.chat,
    JARVIS_API_KEY_3_PERMISSIONS: 'read,chat',
    JARVIS_ADMIN_KEY: KEYS.admin,
    JARVIS_RATE_LIMIT_API: '1000/min',
    JARVIS_RATE_LIMIT_STREAM: '1000/min',
    ...env,
  }, '0.1.0-test');
  const jarvis = await startJarvis(config, options);
  return {
    jarvis,
    url: jarvis.url,
    dataDir,
    fetch(p, init = {}) {
      const headers = new Headers(init.headers);
      if (init.key) headers.set('authorization', `Bearer ${init.key}`);
      return fetch(jarvis.url + p, { ...init, headers });
    },
    async close() {
      await jarvis.close(1000);
      if (!env.JARVIS_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A request through node:http, for headers fetch will not send (Host, a lying Content-Length). */
export function rawRequest(url: string, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    import('node:http').then(({ request }) => {
      const req = request({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, setHost: !opts.headers?.host }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(opts.body);
    }, reject);
  });
}
