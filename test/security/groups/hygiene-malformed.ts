/**
 * Malformed HTTP through a raw socket — a header line without a colon, request smuggling
 * (Content-Length with Transfer-Encoding), bad or doubled lengths, a bad version, NUL bytes, no
 * Host, 64 KB of headers: each is refused with a 4xx (or a close) that leaks nothing.
 */
import assert from 'node:assert/strict';
import { check, type Check } from '../harness.ts';
import { findLeaks } from '../leaks.ts';
import { hostHeader } from '../raw.ts';

/** Malformed HTTP through a raw socket: refused with a 4xx (or a close), with nothing inside. */
export const malformed: Check[] = [
  ['a header line without a colon', (h: string) => `GET /status HTTP/1.1\r\nHost: ${h}\r\nThis is not a header\r\n\r\n`],
  ['both Content-Length and Transfer-Encoding (request smuggling)', (h: string) => `POST /chat HTTP/1.1\r\nHost: ${h}\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin/keys HTTP/1.1\r\nHost: ${h}\r\n\r\n`],
  ['a non-numeric Content-Length', (h: string) => `POST /chat HTTP/1.1\r\nHost: ${h}\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`],
  ['two different Content-Length headers', (h: string) => `POST /chat HTTP/1.1\r\nHost: ${h}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}`],
  ['an invalid request line', (h: string) => `GET /status HTTP/9.9 extra\r\nHost: ${h}\r\n\r\n`],
  ['a NUL byte in a header value', (h: string) => `GET /status HTTP/1.1\r\nHost: ${h}\r\nX-Test: a\u0000b\r\n\r\n`],
  ['no Host header at all', () => 'GET /status HTTP/1.1\r\nConnection: close\r\n\r\n'],
  ['64 KB of headers', (h: string) => `GET /status HTTP/1.1\r\nHost: ${h}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`],
].map(([what, build]) =>
  check(`a request with ${what as string} is refused with a 4xx that leaks nothing`, async (ctx) => {
    const bytes = (build as (h: string) => string)(hostHeader(ctx.client.options.url));
    const r = await ctx.client.rawBytes(Buffer.from(bytes, 'latin1'), 8000);
    const status = r.response?.status;
    assert.ok(status === undefined ? r.closed : (status >= 400 && status < 500) || status === 505, `expected a 4xx (or 505) or a closed connection, got ${status ?? 'nothing'}`);
    if (r.response) assert.deepEqual(findLeaks(r.response.body), [], 'the refusal leaks internals');
  }),
);
