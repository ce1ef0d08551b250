/**
 * A tiny instrumented program for the preload test: serves one request through node:http
 * (with a credential in the header and the query) and prints the trace id the handler saw.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { currentTraceId } from '../../src/telemetry/tracing.ts';

const SECRET = process.argv[2] ?? 'secret';
const server = http.createServer((_req, res) => res.end(currentTraceId() ?? 'none'));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const body = await new Promise<string>((resolve, reject) => {
  http
    .get({ host: '127.0.0.1', port, path: `/x?token=${SECRET}`, headers: { authorization: `Bearer ${SECRET}` } }, (res) => {
      let d = '';
      res.on('data', (c: Buffer) => (d += c.toString()));
      res.on('end', () => resolve(d));
    })
    .on('error', reject);
});
console.log(`TRACE ${body}`);
server.close();
