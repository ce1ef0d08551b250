// Reference: Koa answering with the same headers Jarvis sends on GET /status (security headers,
// request id, Cache-Control, the five rate-limit fields) and the same body — and doing nothing
// else: no checks, no events. What the headers alone cost in Koa.
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { securityHeaderList } from '../../src/http/middleware/security-headers.ts';
import { STATUS_BODY } from './body.ts';

const security = securityHeaderList();
const app = new Koa();
app.use((ctx) => {
  ctx.set('X-Request-Id', randomUUID());
  ctx.set('Cache-Control', 'no-store');
  for (const [k, v] of security) ctx.set(k, v);
  ctx.set('RateLimit-Limit', '60');
  ctx.set('RateLimit-Remaining', '59');
  ctx.set('RateLimit-Reset', '60');
  ctx.set('RateLimit-Policy', '"api";q=60;w=60');
  ctx.set('RateLimit', '"api";r=59;t=60');
  ctx.type = 'application/json';
  ctx.body = STATUS_BODY;
});
const server = app.listen(0, '127.0.0.1', () => console.log(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}`));
