/**
 * Runs Debian's nginx for tests: the configuration rendered from deployment/nginx/ by
 * scripts/nginx/render.sh, a self-signed certificate made with openssl, loopback ports, and
 * every file (pid, logs, temp) under one temporary prefix. Stopped by its PID.
 * A test may replace the upstream block render.sh writes (to run the Docker template's), and give
 * nginx a hosts file of its own (a name with several addresses, as Docker's DNS gives replicas).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, chmodSync, rmSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import https from 'node:https';

const root = path.resolve(import.meta.dirname, '../..');

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface RunningNginx {
  readonly httpPort: number;
  readonly httpsPort: number;
  /** The self-signed certificate (PEM), to trust in clients. */
  readonly ca: string;
  readonly dir: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/** Whether the nginx binary is installed (scripts/nginx/install.sh installs it). */
export function nginxBinary(): string | undefined {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx']) {
    try {
      execFileSync(p, ['-v'], { stdio: 'ignore' });
      return p;
    } catch { /* try the next */ }
  }
  return undefined;
}

export interface NginxOptions {
  /** server_name and the certificate's name (default: localhost). */
  readonly domain?: string;
  readonly timeoutMs?: number;
  /** Written over the jarvis-upstream.conf render.sh made: upstreams `jarvis_api` and `jarvis_api_by_credential`. */
  readonly upstreamConf?: string;
  /**
   * An /etc/hosts for nginx alone: it runs in a private mount namespace with this file bound over
   * /etc/hosts (needs `unshare` and the right to mount: see privateHostsUnavailable()).
   */
  readonly hosts?: string;
}

/** Why nginx cannot be given a hosts file of its own here, or undefined when it can. */
export function privateHostsUnavailable(): string | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'jarvis-hosts-'));
  try {
    writeFileSync(path.join(dir, 'hosts'), '127.0.0.1 localhost\n127.0.0.43 jarvis-hosts-probe.test\n');
    const out = execFileSync('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/hosts && getent hosts jarvis-hosts-probe.test', path.join(dir, 'hosts')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.includes('127.0.0.43') ? undefined : `a private /etc/hosts did not resolve: ${out}`;
  } catch (err) {
    return `no private mount namespace (unshare -m and mount --bind need root): ${(err as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders the deployment config for `upstreams` and starts nginx in the foreground. */
export async function startNginx(upstreams: readonly string[], { domain = 'localhost', timeoutMs = 10_000, upstreamConf, hosts }: NginxOptions = {}): Promise<RunningNginx> {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx is not installed: run bash scripts/nginx/install.sh');
  const dir = mkdtempSync(path.join(tmpdir(), 'jarvis-nginx-'));
  // nginx workers run as nobody when the master is root: they need to reach the temp paths.
  chmodSync(dir, 0o755);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];

  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', `/CN=${domain}`, '-addext', `subjectAltName=DNS:${domain},DNS:localhost,IP:127.0.0.1`,
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });

  execFileSync('bash', [path.join(root, 'scripts/nginx/render.sh'), path.join(dir, 'conf')], {
    stdio: 'ignore',
    env: {
      ...process.env,
      JARVIS_DOMAIN: domain,
      JARVIS_UPSTREAMS: upstreams.join(' '),
      NGINX_LISTEN_HTTP: `127.0.0.1:${httpPort}`,
      NGINX_LISTEN_HTTPS: `127.0.0.1:${httpsPort}`,
      NGINX_REDIRECT_TO: `https://${domain}:${httpsPort}`,
      NGINX_TLS_CERT: path.join(dir, 'cert.pem'),
      NGINX_TLS_KEY: path.join(dir, 'key.pem'),
      NGINX_ACME_ROOT: path.join(dir, 'acme'),
    },
  });
  mkdirSync(path.join(dir, 'acme'));
  if (upstreamConf !== undefined) writeFileSync(path.join(dir, 'conf/jarvis-upstream.conf'), upstreamConf);
  const temp = (name: string): string => `${name}_temp_path ${path.join(dir, name)};`;
  writeFileSync(path.join(dir, 'nginx.conf'), [
    `pid ${path.join(dir, 'nginx.pid')};`,
    `error_log ${path.join(dir, 'error.log')} warn;`,
    'worker_processes 1;',
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${path.join(dir, 'access.log')};`,
    `  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}`,
    `  include ${path.join(dir, 'conf/jarvis-upstream.conf')};`,
    `  include ${path.join(dir, 'conf/jarvis.conf')};`,
    '}',
    '',
  ].join('\n'));

  const args = ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'];
  if (hosts !== undefined) writeFileSync(path.join(dir, 'hosts'), hosts);
  // unshare and sh exec what follows them, so the PID stays nginx's master either way.
  const child: ChildProcess = hosts === undefined
    ? spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', path.join(dir, 'hosts'), bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ca = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  const errorLog = (): string => { try { return readFileSync(path.join(dir, 'error.log'), 'utf8'); } catch { return ''; } };

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM'); // fast shutdown of master and workers
      const killer = setTimeout(() => { if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL'); }, 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      const log = errorLog();
      await stop();
      throw new Error(`nginx exited (${child.exitCode}): ${stderr}\n${log}`);
    }
    if (await healthy(httpsPort, ca, domain)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not answer within ${timeoutMs} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { httpPort, httpsPort, ca, dir, errorLog, stop };
}

function healthy(port: number, ca: string, domain: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', servername: domain, headers: { Host: domain }, port, path: '/health', ca, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}
