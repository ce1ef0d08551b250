/**
 * A small loopback HTTP server that plays the API behind nginx in the proxy tests: it answers
 * /health like the API, echoes what it received (peer, X-Forwarded-For, X-Request-Id), streams
 * a chunked body slowly on the audio paths, and sets a security header of its own so the test
 * can see nginx keep exactly one copy.
 */
import http from 'node:http';

export interface Upstream {
  readonly name: string;
  readonly address: string;
  close(): Promise<void>;
}

/** Pieces written by the streaming paths, and the pause between them. */
export const STREAM_PIECES = 5;
export const STREAM_GAP_MS = 200;

export interface UpstreamOptions {
  /** The loopback address to listen on (default 127.0.0.1): two can share a port on two addresses. */
  readonly host?: string;
  /** Default: a free port. */
  readonly port?: number;
}

export function startUpstream(name: string, { host = '127.0.0.1', port = 0 }: UpstreamOptions = {}): Promise<Upstream> {
  const server = http.createServer((req, res) => {
    res.setHeader('X-Frame-Options', 'SAMEORIGIN');
    res.setHeader('X-Upstream', name);
    const url = req.url ?? '/';
    if (url === '/health' || url === '/health?slow=1') {
      res.setHeader('Content-Type', 'application/json');
      // ?slow=1 holds the connection open for two seconds, to fill nginx's connection limit
      const timer = setTimeout(() => res.end('{"status":"ok"}'), url === '/health' ? 0 : 2000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (/^\/(audio\/stream|v1\/audio\/speech)(\/|$)/.test(url)) {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'audio/L16; rate=22050; channels=1' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(Buffer.alloc(1024, sent));
        sent += 1;
        if (sent === STREAM_PIECES) {
          clearInterval(timer);
          res.end();
        }
      }, STREAM_GAP_MS);
      res.on('close', () => clearInterval(timer));
      return;
    }
    req.resume();
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({
        upstream: name,
        peer: req.socket.remoteAddress,
        xForwardedFor: req.headers['x-forwarded-for'] ?? null,
        xRealIp: req.headers['x-real-ip'] ?? null,
        xForwardedProto: req.headers['x-forwarded-proto'] ?? null,
        requestId: req.headers['x-request-id'] ?? null,
        path: url,
      }));
    });
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address() as { port: number };
      resolve({
        name,
        address: `${host}:${bound}`,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}
