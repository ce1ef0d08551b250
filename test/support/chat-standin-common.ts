/**
 * What the Anthropic and OpenAI loopback stand-ins share: the fault list, request recording,
 * socket bookkeeping (so close() also ends hanging requests) and the reply splitting.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Faults a stand-in can inject into a model call (models listing is not affected):
 * - `server_error`: 500 with the provider's error body;
 * - `rate_limited`: 429 with `retry-after`;
 * - `overloaded`: Anthropic 529 `overloaded_error`, OpenAI-style 503;
 * - `hang`: headers never come, until the client gives up or the stand-in closes;
 * - `cut`: the connection is destroyed after the stream started but before any text
 *   (for a non-streaming call: halfway through the JSON body);
 * - `cut_after_text`: streams some text, then destroys the connection;
 * - `malformed`: 200 with a body (or the first stream event) that is not JSON;
 * - `stream_error`: a 200 stream that carries an error event before any text;
 * - `stall_after_text`: streams some text, then goes silent with the connection open;
 * - `unauthorized`: 401 with the provider's authentication error body.
 */
export type ChatFault = 'server_error' | 'rate_limited' | 'overloaded' | 'hang' | 'cut' | 'cut_after_text' | 'malformed' | 'stream_error' | 'stall_after_text' | 'unauthorized';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
  /** The fault applied to this request, if any. */
  readonly fault: ChatFault | null;
  /** True when the client closed the connection before the answer was complete. */
  aborted: boolean;
}

export interface StandInOptions {
  /** The answer text (default "Hello from the stand-in. How can I help?"), or a function of the request body. */
  readonly reply?: string | ((body: unknown) => string);
  /** Applied one per model call, in order; later calls are answered normally. Push more at run time via `faults`. */
  readonly faults?: readonly ChatFault[];
  /** When set, the request must carry this key (x-api-key or Bearer), else 401. */
  readonly apiKey?: string;
  readonly model?: string;
  /** `retry-after` seconds sent with `rate_limited` and `overloaded` (default 7). */
  readonly retryAfterSeconds?: number;
  /** Pause between stream events, to make streaming visible (default 0). */
  readonly chunkDelayMs?: number;
}

export interface StandIn {
  /** The base URL to configure the SDK with. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The pending faults (mutable: push to inject more). */
  readonly faults: ChatFault[];
  close(): Promise<void>;
}

export const DEFAULT_REPLY = 'Hello from the stand-in. How can I help?';

export function replyFor(opts: StandInOptions, body: unknown): string {
  return typeof opts.reply === 'function' ? opts.reply(body) : (opts.reply ?? DEFAULT_REPLY);
}

/** Words with their trailing spaces: joined back they give the exact reply. */
export function pieces(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [text];
}

/** A rough, deterministic token count (four characters a token), enough for usage fields. */
export function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export type Handler = (req: IncomingMessage, res: ServerResponse, body: unknown, record: RecordedRequest) => Promise<void> | void;

/** Starts an HTTP server on 127.0.0.1:0 that records requests and can be closed mid-hang. */
export async function startServer(opts: StandInOptions, urlPath: string, handle: (req: IncomingMessage, res: ServerResponse, body: unknown, record: RecordedRequest, fault: ChatFault | null) => Promise<void> | void, isModelCall: (method: string, path: string) => boolean): Promise<StandIn> {
  const sockets = new Set<Socket>();
  const requests: RecordedRequest[] = [];
  const faults: ChatFault[] = [...(opts.faults ?? [])];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // keep the raw text: a test may want to see what was sent
      }
      const path = (req.url ?? '/').split('?')[0]!;
      const fault = isModelCall(req.method ?? 'GET', path) ? (faults.shift() ?? null) : null;
      const record: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body, fault, aborted: false };
      requests.push(record);
      res.on('close', () => {
        if (!res.writableFinished) record.aborted = true;
      });
      Promise.resolve(handle(req, res, body, record, fault)).catch(() => res.destroy());
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${urlPath}`,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes one JSON answer with the given status and headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}
