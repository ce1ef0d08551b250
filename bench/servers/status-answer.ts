// What the reference servers share: GET /status answered as Jarvis answers it (the security
// headers, request id, Cache-Control, the five rate-limit fields, the same JSON body), served
// through the same response class as Jarvis.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { securityHeaderList } from '../../src/http/middleware/security-headers.ts';
import { ListedHeadersResponse } from '../../src/http/response.ts';
import { STATUS_BODY } from './body.ts';

const security = securityHeaderList();

/** Sets Jarvis's response headers and the status body on `ctx`; returns the request id it used. */
export function answerLikeStatus(ctx: Koa.Context): string {
  const requestId = randomUUID();
  ctx.set('X-Request-Id', requestId);
  ctx.set('Cache-Control', 'no-store');
  for (const [k, v] of security) ctx.set(k, v);
  ctx.set('RateLimit-Limit', '60');
  ctx.set('RateLimit-Remaining', '59');
  ctx.set('RateLimit-Reset', '60');
  ctx.set('RateLimit-Policy', '"api";q=60;w=60');
  ctx.set('RateLimit', '"api";r=59;t=60');
  ctx.type = 'application/json';
  ctx.body = STATUS_BODY;
  return requestId;
}

/** Serves `app` on a loopback port and prints `READY <url>` for bench/http.ts. */
export function serve(app: Koa): http.Server {
  const server = http.createServer({ ServerResponse: ListedHeadersResponse }, app.callback());
  return server.listen(0, '127.0.0.1', () => console.log(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}`));
}
