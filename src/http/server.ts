/**
 * The listening socket: plain HTTP, or native TLS (1.2 at least) when JARVIS_TLS_CERT and
 * JARVIS_TLS_KEY are set. Guards against slow and flooding clients: headers must arrive within
 * JARVIS_HEADERS_TIMEOUT (20 s, checked every second), a whole request within
 * JARVIS_REQUEST_TIMEOUT, idle keep-alive sockets close, connections are capped, and one
 * connection carries at most 1,000 requests. Responses are ListedHeadersResponse (response.ts):
 * Node's ServerResponse with a cheaper header store.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { ListedHeadersResponse } from './response.ts';

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
  /** Requests one connection may carry (default 1,000); the last is answered with `Connection: close` and the socket ends. */
  readonly maxRequestsPerSocket?: number;
}

/**
 * Node's own `maxRequestsPerSocket` marks the last response `Connection: close` but keeps the
 * socket open, and answers every later request on it with a bare 503 that never reaches the app
 * (no problem+json, no security headers, no event). Here the last response ends the socket.
 */
function limitRequestsPerSocket(handler: http.RequestListener, max: number): http.RequestListener {
  const served = new WeakMap<Socket, number>();
  return (req, res) => {
    const n = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, n);
    if (n >= max) res.shouldKeepAlive = false;
    handler(req, res);
  };
}

export interface Listening {
  readonly server: http.Server;
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

export async function listen(app: http.RequestListener, o: ServerOptions): Promise<Listening> {
  const handler = limitRequestsPerSocket(app, o.maxRequestsPerSocket ?? 1000);
  const common: http.ServerOptions = {
    ServerResponse: ListedHeadersResponse,
    headersTimeout: o.headersTimeoutMs,
    requestTimeout: o.requestTimeoutMs,
    keepAliveTimeout: o.keepAliveTimeoutMs,
    connectionsCheckingInterval: 1000,
    maxHeaderSize: 16 * 1024,
    requireHostHeader: true,
  };
  const server = o.tls
    ? // A handshake is part of sending the headers: it gets the same time (Node's default is 120 s).
      https.createServer({ ...common, cert: readFileSync(o.tls.certFile), key: readFileSync(o.tls.keyFile), minVersion: 'TLSv1.2', handshakeTimeout: o.headersTimeoutMs }, handler)
    : http.createServer(common, handler);
  server.maxConnections = o.maxConnections;
  server.maxHeadersCount = 100;
  // Sockets of clients that never finish their headers are destroyed by headersTimeout;
  // a socket that sends nothing at all is closed after the same time.
  server.on('connection', (socket) => socket.setTimeout(o.headersTimeoutMs + o.requestTimeoutMs, () => socket.destroy()));
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // A failed TLS handshake (a timeout, plain HTTP on the TLS port) arrives here too: there is no
    // HTTP session to answer in, so only parser errors and request timeouts get a status line.
    if (!socket.writable || !(err.code?.startsWith('HPE_') || err.code === 'ERR_HTTP_REQUEST_TIMEOUT')) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({ type: `/problems/http-${status}`, title: http.STATUS_CODES[status], status });
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host === '0.0.0.0' ? '127.0.0.1' : o.host;
  return {
    server,
    port,
    url: `${o.tls ? 'https' : 'http'}://${hostForUrl}:${port}`,
    close(graceMs = 10_000) {
      return new Promise((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
