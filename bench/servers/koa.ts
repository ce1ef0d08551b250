// Baseline: bare Koa serving the same JSON as GET /status.
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { STATUS_BODY } from './body.ts';

const app = new Koa();
app.use((ctx) => {
  ctx.type = 'application/json';
  ctx.body = STATUS_BODY;
});
const server = app.listen(0, '127.0.0.1', () => console.log(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}`));
