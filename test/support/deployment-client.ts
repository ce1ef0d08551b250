/**
 * A client for the nginx tests: one fresh connection per request (HTTP or HTTPS, trusting the
 * test certificate), from a chosen loopback source address, recording when each piece of the
 * body arrives.
 */
import http from 'node:http';
import https from 'node:https';
import type { RunningNginx } from './deployment-nginx.ts';

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  /** Milliseconds after the request was sent at which each piece of the body arrived. */
  readonly arrivals: readonly number[];
}

export interface Ask {
  readonly method?: string;
  readonly path: string;
  /** Source address, 127.0.0.x: nginx limits per address, so each check can use its own. */
  readonly from?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly plain?: boolean;
}

/** One request through nginx. */
export function ask(nginx: RunningNginx, { method = 'GET', path, from = '127.0.0.1', headers = {}, body, plain = false }: Ask): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const options = { host: '127.0.0.1', localAddress: from, method, path, headers: { Host: 'localhost', ...headers }, agent: false as const, timeout: 15_000 };
    const onResponse = (res: http.IncomingMessage): void => {
      const pieces: Buffer[] = [];
      const arrivals: number[] = [];
      res.on('data', (d: Buffer) => { pieces.push(d); arrivals.push(Date.now() - started); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(pieces), arrivals }));
      res.on('error', reject);
    };
    const req = plain
      ? http.request({ ...options, port: nginx.httpPort }, onResponse)
      : https.request({ ...options, port: nginx.httpsPort, servername: 'localhost', ca: nginx.ca }, onResponse);
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** How many times a header appears in a reply (node joins or drops duplicates in `headers`). */
export function headerCount(r: Reply, name: string): number {
  return r.rawHeaders.filter((v, i) => i % 2 === 0 && v.toLowerCase() === name.toLowerCase()).length;
}
