/** The raw HTTP reader: heads, Content-Length and chunked bodies, partial arrivals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dechunk, parseHttpResponse } from './raw.ts';

test('nothing is parsed until the head has fully arrived', () => {
  assert.equal(parseHttpResponse(Buffer.from('HTTP/1.1 413 Payload Too Large\r\nContent-Le')), null);
});

test('a Content-Length body is complete only when all of it has arrived; headers are lower-cased and joined', () => {
  const head = 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nVary: Origin\r\nVary: Accept\r\nContent-Length: 4\r\n\r\n';
  const partial = parseHttpResponse(Buffer.from(`${head}{"a`))!;
  assert.equal(partial.status, 401);
  assert.equal(partial.complete, false);
  assert.equal(partial.headers['www-authenticate'], 'Bearer');
  assert.equal(partial.headers.vary, 'Origin, Accept');
  assert.equal(parseHttpResponse(Buffer.from(`${head}{"a"}`))!.body, '{"a"');
});

test('a chunked body is decoded and complete at the zero chunk', () => {
  const res = parseHttpResponse(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'))!;
  assert.equal(res.body, 'hello world');
  assert.equal(res.complete, true);
  assert.deepEqual(dechunk(Buffer.from('5\r\nhel')), { body: Buffer.from('hel'), complete: false });
});

test('a 204 without a length is complete', () => {
  assert.equal(parseHttpResponse(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'))!.complete, true);
});
