// Baseline: raw node:http serving the same JSON as GET /status.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { STATUS_BODY } from './body.ts';

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(STATUS_BODY) });
  res.end(STATUS_BODY);
});
server.listen(0, '127.0.0.1', () => console.log(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}`));
