/** The listening socket's limits, seen from a raw TCP client. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { listen, type Listening } from '../../src/http/server.ts';

let server: Listening;
before(async () => {
  server = await listen((_req, res) => res.end('ok'), {
    host: '127.0.0.1', port: 0, tls: null, headersTimeoutMs: 20_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 5000, maxConnections: 10, maxRequestsPerSocket: 3,
  });
});
after(() => server.close(100));

/** Sends requests one after another on one connection, as a client that ignores `Connection: close` would. */
function sendUntilClosed(max: number): Promise<{ statuses: string[]; connection: (string | undefined)[]; closedAfter: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    const statuses: string[] = [];
    const connection: (string | undefined)[] = [];
    let buf = '';
    const send = () => socket.write('GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n');
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        statuses.push(head.slice(9, 12));
        connection.push(/\r\nconnection: (\S+)/i.exec(head)?.[1]?.toLowerCase());
        buf = buf.slice(end + 4 + length);
        if (statuses.length < max) send();
      }
    });
    socket.on('close', () => resolve({ statuses, connection, closedAfter: statuses.length }));
    socket.on('error', reject);
    send();
  });
}

test('the last request a connection may carry is answered normally, marked Connection: close, and the server ends the socket', async () => {
  const r = await sendUntilClosed(10);
  assert.deepEqual(r.statuses, ['200', '200', '200'], 'no 503 for requests sent after the limit: the socket is gone');
  assert.deepEqual(r.connection, ['keep-alive', 'keep-alive', 'close']);
  assert.equal(r.closedAfter, 3);
});
