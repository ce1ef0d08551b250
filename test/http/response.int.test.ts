/**
 * ListedHeadersResponse behaves exactly like Node's own ServerResponse. Each scenario runs the
 * same handler on two loopback servers, one built with ListedHeadersResponse and one plain, and
 * reads both answers over a raw TCP socket: the bytes (status line, header names as written,
 * their order, duplicates, framing, body) must be identical once the Date value is masked.
 * The header accessors, and the errors thrown for bad input or after the head is sent, are
 * compared the same way: what each class does inside the handler must be the same.
 */
import assert from 'node:assert/strict';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { ListedHeadersResponse } from '../../src/http/response.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type Kind = 'listed' | 'node';

/** Each exchange ends with this request: the server answers it and closes the socket. */
const END_PATH = '/__end';

/** Starts a loopback server whose responses are ListedHeadersResponse or Node's own class; closed when the test ends. */
async function serve(t: TestContext, kind: Kind, handler: Handler): Promise<number> {
  const wrapped: Handler = (req, res) => {
    if (req.url === END_PATH) return void res.end('end');
    try {
      handler(req, res);
    } catch (err) {
      // A throw inside the handler must not take the test process down: it shows up in the bytes.
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
      if (res.headersSent) res.destroy();
      else {
        res.statusCode = 500;
        res.end(`handler threw ${code}`);
      }
    }
  };
  const server = kind === 'listed' ? http.createServer({ ServerResponse: ListedHeadersResponse }, wrapped) : http.createServer(wrapped);
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Sends `method /x` and then, pipelined on the same connection, `GET /__end` with
 * `Connection: close`, and returns every byte the server sent until it closed the socket. The
 * first response is read whatever its framing (length, chunks, or until close); keep-alive is
 * exercised as it is in production.
 */
function exchange(t: TestContext, port: number, method: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    t.after(() => void socket.destroy());
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the socket within 3 s; received ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`));
    }, 3000);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(`${method} /x HTTP/1.1\r\nHost: localhost\r\n\r\nGET ${END_PATH} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
  });
}

/** The Date value changes from one second to the next: only its presence and place are compared. */
const maskDate = (raw: string): string => raw.replace(/^Date: [^\r\n]*\r\n/gm, 'Date: <masked>\r\n');

/** Runs `handler` on both servers and asserts the raw answers match byte for byte; returns Node's (masked) for further checks. */
async function assertSameBytes(t: TestContext, handler: Handler, method = 'GET'): Promise<string> {
  const [listedPort, nodePort] = await Promise.all([serve(t, 'listed', handler), serve(t, 'node', handler)]);
  const [listed, node] = await Promise.all([exchange(t, listedPort, method), exchange(t, nodePort, method)]);
  assert.equal(maskDate(listed), maskDate(node), 'ListedHeadersResponse (actual) must send the same bytes as Node (expected)');
  return maskDate(node);
}

/** The head of the first response, up to its blank line. */
const firstHead = (raw: string): string => raw.slice(0, raw.indexOf('\r\n\r\n') + 4);

/** Runs `probe` inside a handler on both servers and returns what it saw with each class. */
async function observe<T>(t: TestContext, probe: (res: ServerResponse) => T): Promise<Record<Kind, T>> {
  const seen: Partial<Record<Kind, T>> = {};
  const start = (kind: Kind) =>
    serve(t, kind, (_req, res) => {
      seen[kind] = probe(res);
      if (!res.writableEnded) res.end();
    });
  const [listedPort, nodePort] = await Promise.all([start('listed'), start('node')]);
  await Promise.all([exchange(t, listedPort, 'GET'), exchange(t, nodePort, 'GET')]);
  assert.ok('listed' in seen && 'node' in seen, 'the probe ran on both servers');
  return seen as Record<Kind, T>;
}

/** What a call did: 'ok', or the error it threw (class, code, message). */
function attempt(fn: () => unknown): string | { name: string; code: string | undefined; message: string } {
  try {
    fn();
    return 'ok';
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { name: e.name, code: e.code, message: e.message };
  }
}

// ---- 1. setHeader ----

test('headers set with setHeader go out as Node sends them: names as given, last value wins in the first place, removed ones are gone', async (t) => {
  const raw = await assertSameBytes(t, (_req, res) => {
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('x-request-id', 'abc-123');
    res.setHeader('X-Twice', 'first');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('x-TWICE', 'second');
    res.setHeader('X-Gone', 'gone');
    res.setHeader('X-Number', 7);
    res.removeHeader('x-gone');
    res.removeHeader('cache-control');
    res.setHeader('CACHE-control', 'no-cache');
    res.end('hello');
  });
  assert.match(firstHead(raw), /^HTTP\/1\.1 200 OK\r\nContent-Type: .*\r\nx-request-id: abc-123\r\nx-TWICE: second\r\nX-Number: 7\r\nCACHE-control: no-cache\r\nDate: /);
});

// ---- 2. writeHead ----

test('writeHead(status, object) overrides a header set earlier under another case, as Node does', async (t) => {
  const raw = await assertSameBytes(t, (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.setHeader('X-A', 'a');
    res.setHeader('X-B', 'b');
    res.writeHead(202, { 'content-type': 'application/json', 'X-C': 'c' });
    res.end('{}');
  });
  assert.match(firstHead(raw), /^HTTP\/1\.1 202 Accepted\r\n/);
  assert.doesNotMatch(raw, /text\/plain/);
});

test('writeHead(status, reason, flat array) sends a name repeated in the array as Node does, with no headers set before', async (t) => {
  const raw = await assertSameBytes(t, (_req, res) => {
    res.writeHead(200, 'Fine', ['X-Dup', '1', 'Content-Type', 'text/plain', 'x-dup', '2']);
    res.end('ok');
  });
  assert.match(firstHead(raw), /^HTTP\/1\.1 200 Fine\r\nX-Dup: 1\r\nContent-Type: text\/plain\r\nx-dup: 2\r\n/);
});

test('writeHead(status, reason, flat array) with a repeated name, after setHeader on that name, sends what Node sends', async (t) => {
  await assertSameBytes(t, (_req, res) => {
    res.setHeader('X-Dup', '0');
    res.setHeader('X-Other', 'o');
    res.writeHead(200, 'Fine', ['X-Dup', '1', 'x-dup', '2']);
    res.end('ok');
  });
});

test('writeHead(status, [[name, value], …]) nested-array form, with no headers set before, goes out as Node sends it', async (t) => {
  const raw = await assertSameBytes(t, (_req, res) => {
    res.writeHead(200, [
      ['X-A', '1'],
      ['x-a', '2'],
      ['Content-Type', 'text/plain'],
    ] as unknown as http.OutgoingHttpHeader[]);
    res.end('ok');
  });
  assert.match(firstHead(raw), /\r\nX-A: 1\r\nx-a: 2\r\nContent-Type: text\/plain\r\n/);
});

test('writeHead(status, [[name, value], …]) nested-array form after setHeader does what Node does', async (t) => {
  await assertSameBytes(t, (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.writeHead(200, [
      ['X-A', '1'],
      ['x-a', '2'],
    ] as unknown as http.OutgoingHttpHeader[]);
    res.end('ok');
  });
});

// ---- 3. appendHeader and array values ----

test('appendHeader onto an existing header and onto a new one, and array values, go out as Node sends them', async (t) => {
  const raw = await assertSameBytes(t, (_req, res) => {
    res.setHeader('Vary', 'Accept');
    res.appendHeader('vary', 'Origin');
    res.appendHeader('X-New', 'n');
    res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/']);
    res.appendHeader('set-cookie', 'c=3; Path=/');
    res.appendHeader('X-List', ['1', '2']);
    res.setHeader('X-Count', 1);
    res.appendHeader('x-count', '2');
    res.end('ok');
  });
  assert.match(firstHead(raw), /\r\nVary: Accept\r\nVary: Origin\r\nX-New: n\r\nSet-Cookie: a=1; Path=\/\r\nSet-Cookie: b=2; Path=\/\r\nSet-Cookie: c=3; Path=\/\r\n/);
});

test('setHeaders(Map) with cookies goes out as Node sends it', async (t) => {
  await assertSameBytes(t, (_req, res) => {
    res.setHeader('X-First', 'f');
    res.setHeaders(
      new Map<string, string | string[]>([
        ['Content-Type', 'text/plain'],
        ['set-cookie', ['a=1', 'b=2']],
      ]),
    );
    res.end('ok');
  });
});

// ---- 4. headers that frame the response ----

test('removeHeader("Date") sends no Date, as Node does', async (t) => {
  const raw = await assertSameBytes(t, (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.removeHeader('Date');
    res.end('ok');
  });
  assert.doesNotMatch(firstHead(raw), /\r\nDate: /);
});

test('removeHeader("Content-Length") then end(body) is framed exactly as Node frames it', async (t) => {
  const raw = await assertSameBytes(t, (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.removeHeader('Content-Length');
    res.end('body');
  });
  assert.doesNotMatch(firstHead(raw), /content-length/i);
});

test('removeHeader("Content-Length") and removeHeader("Transfer-Encoding") end the body by closing the socket, as Node does', async (t) => {
  await assertSameBytes(t, (_req, res) => {
    res.removeHeader('Content-Length');
    res.removeHeader('Transfer-Encoding');
    res.write('a');
    res.end('b');
  });
});

test('an explicit Content-Length set with setHeader (number or string) goes out as Node sends it', async (t) => {
  await assertSameBytes(t, (_req, res) => {
    res.setHeader('Content-Length', 4);
    res.end('body');
  });
  await assertSameBytes(t, (_req, res) => {
    res.setHeader('content-length', '4');
    res.write('bo');
    res.end('dy');
  });
});

test('setHeader("Connection", "close") and removeHeader("Connection") go out as Node sends them', async (t) => {
  const raw = await assertSameBytes(t, (_req, res) => {
    res.setHeader('Connection', 'close');
    res.end('ok');
  });
  assert.doesNotMatch(raw, /\r\n\r\nend$/, 'the connection closed after the first response');
  await assertSameBytes(t, (_req, res) => {
    res.removeHeader('Connection');
    res.end('ok');
  });
});

// ---- 5. responses without a body ----

test('a HEAD request gets the same head as from Node, with no body', async (t) => {
  await assertSameBytes(
    t,
    (_req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.setHeader('ETag', '"v1"');
      res.end('not sent');
    },
    'HEAD',
  );
});

test('204 and 304 responses with headers go out as Node sends them', async (t) => {
  await assertSameBytes(t, (_req, res) => {
    res.statusCode = 204;
    res.setHeader('X-Request-Id', 'r1');
    res.setHeader('Content-Type', 'text/plain');
    res.end();
  });
  await assertSameBytes(t, (_req, res) => {
    res.setHeader('Cache-Control', 'max-age=60');
    res.writeHead(304, { ETag: '"v1"' });
    res.end();
  });
});

// ---- 6. implicit head ----

test('an implicit head (statusCode, write, end) is chunked as Node does', async (t) => {
  const raw = await assertSameBytes(t, (_req, res) => {
    res.statusCode = 201;
    res.setHeader('X-A', '1');
    res.write('a');
    res.end('b');
  });
  assert.match(firstHead(raw), /^HTTP\/1\.1 201 Created\r\n[^]*Transfer-Encoding: chunked\r\n/);
});

test('flushHeaders() sends the same head as Node before the body', async (t) => {
  await assertSameBytes(t, (_req, res) => {
    res.statusCode = 202;
    res.setHeader('X-A', '1');
    res.flushHeaders();
    res.write('later');
    res.end();
  });
});

// ---- 7. reading headers back ----

test('getHeader, hasHeader, getHeaders, getHeaderNames and getRawHeaderNames return what Node returns', async (t) => {
  const seen = await observe(t, (res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.setHeader('X-Number', 42);
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.setHeader('x-twice', '1');
    res.setHeader('X-Twice', '2');
    res.setHeader('X-Gone', 'g');
    res.removeHeader('X-GONE');
    const headers = res.getHeaders();
    return {
      contentType: res.getHeader('CONTENT-TYPE'),
      number: res.getHeader('x-number'),
      cookies: res.getHeader('set-cookie'),
      twice: res.getHeader('X-TWICE'),
      gone: res.getHeader('x-gone'),
      missing: res.getHeader('x-missing'),
      has: [res.hasHeader('content-type'), res.hasHeader('X-NUMBER'), res.hasHeader('x-gone'), res.hasHeader('x-missing')],
      headers,
      headersPrototype: Object.getPrototypeOf(headers) as unknown,
      names: res.getHeaderNames(),
      rawNames: (res as unknown as { getRawHeaderNames(): string[] }).getRawHeaderNames(),
    };
  });
  assert.deepEqual(seen.listed, seen.node);
  assert.equal(seen.node.number, 42, 'numbers stay numbers');
  assert.deepEqual(seen.node.cookies, ['a=1', 'b=2'], 'arrays stay arrays');
});

test('appendHeader onto a number header stores what Node stores', async (t) => {
  const seen = await observe(t, (res) => {
    res.setHeader('X-Count', 1);
    res.appendHeader('x-count', '2');
    res.setHeader('X-One', 'a');
    res.appendHeader('X-ONE', ['b', 'c']);
    return { count: res.getHeader('X-Count'), one: res.getHeader('x-one'), raw: (res as unknown as { getRawHeaderNames(): string[] }).getRawHeaderNames() };
  });
  assert.deepEqual(seen.listed, seen.node);
});

test('mutating an array returned by getHeader or getHeaders changes the stored header exactly as much as with Node', async (t) => {
  const seen = await observe(t, (res) => {
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    (res.getHeader('set-cookie') as string[]).push('c=3');
    const afterGetHeader = [...(res.getHeader('set-cookie') as string[])];
    (res.getHeaders()['set-cookie'] as string[]).push('d=4');
    const afterGetHeaders = [...(res.getHeader('set-cookie') as string[])];
    return { afterGetHeader, afterGetHeaders };
  });
  assert.deepEqual(seen.listed, seen.node);
});

test('headers given to writeHead after setHeader can be read back afterwards as with Node', async (t) => {
  const seen = await observe(t, (res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.writeHead(200, { 'content-type': 'application/json', 'X-Given': 'g' });
    return { contentType: res.getHeader('content-type'), given: res.getHeader('x-given'), names: res.getHeaderNames() };
  });
  assert.deepEqual(seen.listed, seen.node);
});

// ---- 8. errors ----

test('invalid header names and values throw the same errors as Node, and nothing is stored', async (t) => {
  const seen = await observe(t, (res) => ({
    crlf: attempt(() => res.setHeader('X-Bad', 'a\r\nInjected: yes')),
    lf: attempt(() => res.setHeader('X-Bad', 'a\nb')),
    crlfInArray: attempt(() => res.setHeader('X-Bad', ['ok', 'a\r\nb'])),
    appendCrlf: attempt(() => res.appendHeader('X-Bad', 'a\r\nb')),
    badName: attempt(() => res.setHeader('Bad Name', 'v')),
    badNameColon: attempt(() => res.setHeader('X-Bad:', 'v')),
    emptyName: attempt(() => res.setHeader('', 'v')),
    appendBadName: attempt(() => res.appendHeader('Bad Name', 'v')),
    undefinedValue: attempt(() => res.setHeader('X-Bad', undefined as unknown as string)),
    appendUndefined: attempt(() => res.appendHeader('X-Bad', undefined as unknown as string)),
    stored: res.getHeaderNames(),
  }));
  assert.deepEqual(seen.listed, seen.node);
  assert.equal((seen.node.crlf as { code: string }).code, 'ERR_INVALID_CHAR');
  assert.equal((seen.node.badName as { code: string }).code, 'ERR_INVALID_HTTP_TOKEN');
  assert.equal((seen.node.undefinedValue as { code: string }).code, 'ERR_HTTP_INVALID_HEADER_VALUE');
});

test('setHeader, removeHeader and appendHeader after the head is sent throw ERR_HTTP_HEADERS_SENT as with Node', async (t) => {
  const seen = await observe(t, (res) => {
    res.setHeader('X-Before', 'b');
    res.writeHead(200);
    const afterWriteHead = {
      set: attempt(() => res.setHeader('X-After', 'a')),
      remove: attempt(() => res.removeHeader('X-Before')),
      append: attempt(() => res.appendHeader('X-Before', 'a')),
      removeFraming: attempt(() => res.removeHeader('Content-Length')),
      setInvalid: attempt(() => res.setHeader('Bad Name', 'v')),
    };
    res.write('x');
    const afterWrite = {
      set: attempt(() => res.setHeader('X-After', 'a')),
      remove: attempt(() => res.removeHeader('X-Before')),
      append: attempt(() => res.appendHeader('X-Before', 'a')),
      writeHead: attempt(() => res.writeHead(201)),
    };
    return { afterWriteHead, afterWrite, headersSent: res.headersSent, before: res.getHeader('x-before') };
  });
  assert.deepEqual(seen.listed, seen.node);
  assert.equal((seen.node.afterWrite.set as { code: string }).code, 'ERR_HTTP_HEADERS_SENT');
  assert.equal((seen.node.afterWriteHead.remove as { code: string }).code, 'ERR_HTTP_HEADERS_SENT');
  assert.equal((seen.node.afterWriteHead.append as { code: string }).code, 'ERR_HTTP_HEADERS_SENT');
});

test('writeHead with an undefined or CR/LF header value throws the same error as Node', async (t) => {
  const results: Record<string, Record<Kind, unknown>> = {};
  for (const headersBefore of [false, true]) {
    for (const [label, value] of [
      ['undefined', undefined],
      ['CR/LF', 'a\r\nb'],
    ] as const) {
      results[`${label} value, ${headersBefore ? 'after' : 'without'} setHeader`] = await observe(t, (res) => {
        if (headersBefore) res.setHeader('X-Before', 'b');
        return { writeHead: attempt(() => res.writeHead(200, { 'X-Value': value })), headersSent: res.headersSent };
      });
    }
  }
  const pick = (kind: Kind) => Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v[kind]]));
  assert.deepEqual(pick('listed'), pick('node'));
});

test('getHeader, hasHeader and removeHeader with a name that is not a string throw the same error as Node', async (t) => {
  const name = 1 as unknown as string;
  const seen = await observe(t, (res) => ({
    get: attempt(() => res.getHeader(name)),
    has: attempt(() => res.hasHeader(name)),
    remove: attempt(() => res.removeHeader(name)),
  }));
  assert.deepEqual(seen.listed, seen.node);
});
