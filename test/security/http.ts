/**
 * The suite's HTTP client over node:http(s): full control of headers (Host included), no redirects
 * followed, one connection per request, a hard cap on requests, and a record of every exchange so
 * the hygiene group can scan all of them. An unexpected 429 is waited out (Retry-After) within a
 * run-wide budget, so a target with small limits slows the suite down instead of failing it. The
 * cleanups (revoking what the suite created) have an allowance of their own: a run that spent its
 * budget on the rate-limit checks must still not leave keys behind on the target.
 */
import http from 'node:http';
import https from 'node:https';
import { rawExchange, type RawOptions, type RawResult, type RawWriter } from './raw.ts';

export interface RequestSpec {
  readonly method?: string;
  readonly path: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string | undefined;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string or Buffer is sent as is; anything else as JSON with Content-Type: application/json. */
  readonly body?: unknown;
  /** Secrets this request carries elsewhere (in the body, another header) that must never come back. */
  readonly secrets?: readonly string[];
  /** This request is meant to meet the rate limit: do not wait a 429 out. */
  readonly expect429?: boolean;
  readonly timeoutMs?: number;
  /** Read at most this many body bytes, then drop the connection (audio, SSE). */
  readonly maxBodyBytes?: number;
}

export interface Res {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly bodyBytes: number;
  readonly durationMs: number;
  /** The body parsed as JSON, or undefined. */
  readonly json: unknown;
}

/** One recorded request and its answer. */
export interface Exchange {
  readonly check: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly secrets: readonly string[];
}

export class BudgetExceeded extends Error {}

export interface ClientOptions {
  readonly url: URL;
  readonly maxRequests: number;
  readonly maxRateLimitWaitS: number;
  readonly insecureTls: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How long the cleanups may wait out 429s, beyond the run's budget. */
const CLEANUP_WAIT_MS = 120_000;

export class Client {
  readonly exchanges: Exchange[] = [];
  sent = 0;
  waitedMs = 0;
  private cleanupWaitedMs = 0;
  /** Set by the runner: the check that is sending ('cleanup' for the cleanups). */
  currentCheck = '';

  constructor(readonly options: ClientOptions) {}

  get origin(): string {
    return this.options.url.origin;
  }

  private count(): void {
    if (++this.sent > this.options.maxRequests) throw new BudgetExceeded(`request budget of ${this.options.maxRequests} spent (--max-requests)`);
  }

  /** Sends one request; waits out an unexpected 429 within the run's wait budget. */
  async request(spec: RequestSpec): Promise<Res> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.once(spec);
      if (res.status !== 429 || spec.expect429 || attempt >= 3) return res;
      const retryAfter = Number(res.headers['retry-after']);
      const waitMs = (Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : 5) * 1000 + 250;
      if (this.currentCheck === 'cleanup') {
        if (this.cleanupWaitedMs + waitMs > CLEANUP_WAIT_MS) return res;
        this.cleanupWaitedMs += waitMs;
      } else {
        if (this.waitedMs + waitMs > this.options.maxRateLimitWaitS * 1000) return res;
      }
      this.waitedMs += waitMs;
      await sleep(waitMs);
    }
  }

  private once(spec: RequestSpec): Promise<Res> {
    this.count();
    const { url, insecureTls } = this.options;
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json;q=0.9, */*;q=0.1', ...spec.headers };
    let body: Buffer | undefined;
    if (spec.body !== undefined) {
      if (typeof spec.body === 'string' || Buffer.isBuffer(spec.body)) body = Buffer.from(spec.body);
      else {
        body = Buffer.from(JSON.stringify(spec.body));
        headers['content-type'] ??= 'application/json';
      }
      headers['content-length'] ??= String(body.length);
    }
    if (spec.token !== undefined) headers.authorization = `Bearer ${spec.token}`;
    const secrets = [...(spec.secrets ?? []), ...(spec.token !== undefined && spec.token.length >= 8 ? [spec.token] : [])];
    const method = spec.method ?? (body ? 'POST' : 'GET');
    const lib = url.protocol === 'https:' ? https : http;
    const started = Date.now();
    const limit = spec.maxBodyBytes ?? 256 * 1024;
    const timeoutMs = spec.timeoutMs ?? 15_000;
    return new Promise<Res>((resolve, reject) => {
      let response: http.IncomingMessage | undefined;
      // a total deadline, not an idle timeout: a stream that keeps trickling must still end
      const deadline = setTimeout(() => {
        if (response) response.destroy();
        else req.destroy(new Error(`no answer within ${timeoutMs} ms: ${method} ${spec.path}`));
      }, timeoutMs);
      const req = lib.request({
        protocol: url.protocol, hostname: url.hostname, port: url.port, method, path: spec.path, headers,
        agent: false, rejectUnauthorized: !insecureTls,
      }, (res) => {
        response = res;
        const chunks: Buffer[] = [];
        let size = 0;
        let finished = false;
        const done = (): void => {
          if (finished) return;
          finished = true;
          clearTimeout(deadline);
          const text = Buffer.concat(chunks).toString('utf8');
          const flat: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          const r: Res = { method, path: spec.path, status: res.statusCode ?? 0, headers: flat, text, bodyBytes: size, durationMs: Date.now() - started, json };
          const binary = /^audio\//.test(flat['content-type'] ?? '');
          this.exchanges.push({ check: this.currentCheck, method, path: spec.path, status: r.status, headers: flat, text: binary ? '' : text.slice(0, 64 * 1024), secrets });
          resolve(r);
        };
        res.on('data', (d: Buffer) => {
          size += d.length;
          if (size <= limit) chunks.push(d);
          else {
            res.destroy();
            done();
          }
        });
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      });
      req.on('error', (e) => {
        clearTimeout(deadline);
        reject(e);
      });
      req.end(body);
    });
  }

  /** A raw socket exchange with the target (counts toward the request budget). */
  raw(writer: (w: RawWriter) => Promise<void>, options: Omit<RawOptions, 'insecureTls'>): Promise<RawResult> {
    this.count();
    return rawExchange(this.options.url, writer, { ...options, insecureTls: this.options.insecureTls });
  }

  /** A raw request from fixed bytes (head + optional body). */
  rawBytes(bytes: string | Buffer, timeoutMs = 10_000): Promise<RawResult> {
    return this.raw(async (w) => w.write(bytes), { timeoutMs });
  }
}
