/**
 * Raw HTTP/1.1 over node:net / node:tls, for what a well-behaved client cannot send:
 * headers byte by byte, a Content-Length that lies, exact header bytes (unicode, NBSP),
 * bodies larger than the limit. Only ever connects to the target origin.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface ParsedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** True when the whole body (by Content-Length or chunked framing) has arrived. */
  readonly complete: boolean;
}

/** Parses the first response in `buf`; null until its head has fully arrived. */
export function parseHttpResponse(buf: Buffer): ParsedResponse | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(lines[0] ?? '');
  if (!m) return null;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const rest = buf.subarray(end + 4);
  const status = Number(m[1]);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const { body, complete } = dechunk(rest);
    return { status, headers, body: body.toString('utf8'), complete };
  }
  const len = headers['content-length'];
  if (len !== undefined) {
    const n = Number(len);
    return { status, headers, body: rest.subarray(0, n).toString('utf8'), complete: rest.length >= n };
  }
  const bodiless = status === 204 || status === 304 || (status >= 100 && status < 200);
  return { status, headers, body: rest.toString('utf8'), complete: bodiless };
}

/** Decodes as much chunked framing as has arrived. */
export function dechunk(buf: Buffer): { body: Buffer; complete: boolean } {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) return { body: Buffer.concat(parts), complete: false };
    const size = parseInt(buf.subarray(pos, eol).toString('latin1').split(';')[0]!, 16);
    if (Number.isNaN(size)) return { body: Buffer.concat(parts), complete: false };
    if (size === 0) return { body: Buffer.concat(parts), complete: true };
    const start = eol + 2;
    if (buf.length < start + size) {
      parts.push(buf.subarray(start));
      return { body: Buffer.concat(parts), complete: false };
    }
    parts.push(buf.subarray(start, start + size));
    pos = start + size + 2;
  }
}

export interface RawResult {
  readonly response: ParsedResponse | null;
  /** The server closed (or reset) the connection. */
  readonly closed: boolean;
  readonly error: string | undefined;
  readonly elapsedMs: number;
  /** Milliseconds from connect until the first response byte or the close, whichever came first. */
  readonly answeredAfterMs: number | undefined;
  readonly bytesSent: number;
  readonly timedOut: boolean;
}

/** What a writer gets: write with backpressure, and whether the server has already answered or closed. */
export interface RawWriter {
  write(data: string | Buffer): Promise<void>;
  readonly stopped: boolean;
  sleep(ms: number): Promise<void>;
}

export interface RawOptions {
  readonly timeoutMs: number;
  readonly insecureTls?: boolean;
  /** Keep waiting after a complete response until the server closes (slow-client checks). */
  readonly waitForClose?: boolean;
}

/** Connects to the target, runs `writer`, and collects the first response until it is complete, the socket closes or time runs out. */
export function rawExchange(target: URL, writer: (w: RawWriter) => Promise<void>, options: RawOptions): Promise<RawResult> {
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const started = Date.now();
  return new Promise((resolve) => {
    const sock: net.Socket = target.protocol === 'https:'
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: !options.insecureTls })
      : net.connect({ host, port });
    let buf = Buffer.alloc(0);
    let done = false;
    let closed = false;
    let error: string | undefined;
    let answeredAt: number | undefined;
    let bytesSent = 0;
    let stopped = false;

    const finish = (timedOut: boolean): void => {
      if (done) return;
      done = true;
      stopped = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({
        response: parseHttpResponse(buf), closed, error, elapsedMs: Date.now() - started,
        answeredAfterMs: answeredAt === undefined ? undefined : answeredAt - started, bytesSent, timedOut,
      });
    };
    const timer = setTimeout(() => finish(true), options.timeoutMs);
    const markAnswered = (): void => {
      answeredAt ??= Date.now();
      stopped = true;
    };
    sock.on('data', (d: Buffer) => {
      markAnswered();
      buf = Buffer.concat([buf, d]);
      const parsed = parseHttpResponse(buf);
      if (parsed?.complete && !options.waitForClose) finish(false);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    sock.on('close', () => {
      closed = true;
      markAnswered();
      finish(false);
    });

    const w: RawWriter = {
      get stopped() {
        return stopped || done;
      },
      write: (data) => new Promise<void>((res) => {
        if (stopped || done || sock.destroyed) return res();
        const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
        bytesSent += b.length;
        if (sock.write(b)) return res();
        const go = (): void => {
          sock.off('drain', go);
          sock.off('close', go);
          res();
        };
        sock.on('drain', go);
        sock.on('close', go);
      }),
      sleep: (ms) => new Promise<void>((res) => {
        const wake = (): void => {
          clearTimeout(t);
          sock.off('close', wake);
          res();
        };
        const t = setTimeout(wake, ms);
        sock.once('close', wake);
      }),
    };
    sock.once(target.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      writer(w).catch((e: unknown) => {
        error = e instanceof Error ? e.message : String(e);
      });
    });
  });
}

/** The Host header value for the target (what a normal client would send). */
export function hostHeader(target: URL): string {
  return target.host;
}
