/**
 * The real nginx (Debian's), configured from deployment/nginx/ with a self-signed certificate,
 * in front of two loopback API instances. Checks what an operator would check after deploying:
 * HTTPS, the redirect, old TLS refused, headers, nginx's own 429, streaming, the client's address.
 * Each check uses its own loopback source address (127.0.0.x), since nginx limits per address.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { startNginx, type RunningNginx } from '../support/deployment-nginx.ts';
import { ask as askThrough, headerCount, type Ask, type Reply } from '../support/deployment-client.ts';
import { startUpstream, STREAM_PIECES, STREAM_GAP_MS, type Upstream } from '../support/deployment-upstream.ts';

let nginx: RunningNginx;
let upstreams: Upstream[] = [];

before(async () => {
  upstreams = [await startUpstream('a'), await startUpstream('b')];
  nginx = await startNginx(upstreams.map((u) => u.address));
});

after(async () => {
  await nginx?.stop();
  for (const u of upstreams) await u.close();
});

const ask = (a: Ask): Promise<Reply> => askThrough(nginx, a);

interface Handshake { readonly version: string; readonly alpn: string | false }

function handshake(min: tls.SecureVersion, max: tls.SecureVersion, ciphers = 'DEFAULT@SECLEVEL=0'): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    // SECLEVEL=0 lets this client offer old versions and ciphers, so a refusal can only come from nginx.
    const socket = tls.connect({ host: '127.0.0.1', port: nginx.httpsPort, servername: 'localhost', ca: nginx.ca, minVersion: min, maxVersion: max, ciphers, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      const result = { version: socket.getProtocol() ?? '', alpn: socket.alpnProtocol ?? false };
      socket.end();
      resolve(result);
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('handshake timeout')));
    socket.on('error', reject);
  });
}

test('HTTPS answers /health through nginx with the API body', async () => {
  const r = await ask({ path: '/health' });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body.toString()), { status: 'ok' });
});

test('plain HTTP is redirected with 301 to the same path on HTTPS', async () => {
  const r = await ask({ path: '/status?x=1', plain: true });
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, `https://localhost:${nginx.httpsPort}/status?x=1`);
});

test('a forged Host does not steer the redirect', async () => {
  const r = await ask({ path: '/', plain: true, headers: { Host: 'evil.example' } });
  assert.equal(r.status, 301);
  assert.match(String(r.headers.location), /^https:\/\/localhost:\d+\/$/);
});

test('TLS 1.2 and 1.3 are accepted, TLS 1.3 by default', async () => {
  assert.equal((await handshake('TLSv1.2', 'TLSv1.2')).version, 'TLSv1.2');
  assert.equal((await handshake('TLSv1.2', 'TLSv1.3')).version, 'TLSv1.3');
});

test('HTTP/2 is offered (ALPN h2)', async () => {
  assert.equal((await handshake('TLSv1.2', 'TLSv1.3')).alpn, 'h2');
});

test('TLS 1.2 without forward secrecy or AEAD is refused (modern ciphers only)', async () => {
  for (const weak of ['AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES128-SHA256']) {
    await assert.rejects(handshake('TLSv1.2', 'TLSv1.2', `${weak}@SECLEVEL=0`), (err: NodeJS.ErrnoException) => {
      assert.match(String(err.code), /ALERT_HANDSHAKE_FAILURE|NO_SHARED_CIPHER/, `${weak}: ${err.code}`);
      return true;
    });
  }
  // and one of the configured suites works
  assert.equal((await handshake('TLSv1.2', 'TLSv1.2', 'ECDHE-ECDSA-AES128-GCM-SHA256')).version, 'TLSv1.2');
});

test('TLS 1.0 and 1.1 are refused by the server', async () => {
  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    await assert.rejects(handshake(version, version), (err: NodeJS.ErrnoException) => {
      // An alert from the server ("protocol version"), not a client-side refusal to offer it.
      assert.equal(err.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', `${version}: ${err.message}`);
      return true;
    });
  }
});

test('security headers are present once each, and nginx hides its version', async () => {
  const r = await ask({ path: '/status' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['strict-transport-security'], 'max-age=63072000; includeSubDomains');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.equal(r.headers['referrer-policy'], 'no-referrer');
  assert.match(String(r.headers['content-security-policy']), /default-src 'none'/);
  assert.equal(headerCount(r, 'x-frame-options'), 1, 'the upstream copy is hidden, nginx sets one');
  assert.equal(r.headers['x-frame-options'], 'DENY');
  assert.equal(r.headers.server, 'nginx');
});

test('the upstream sees the real client address in X-Forwarded-For, never a forged one', async () => {
  const r = await ask({ path: '/echo', from: '127.0.0.2', headers: { 'X-Forwarded-For': '203.0.113.9', 'X-Real-IP': '203.0.113.9' } });
  const seen = JSON.parse(r.body.toString()) as Record<string, unknown>;
  assert.equal(seen.xForwardedFor, '127.0.0.2');
  assert.equal(seen.xRealIp, '127.0.0.2');
  assert.equal(seen.xForwardedProto, 'https');
  assert.equal(seen.peer, '127.0.0.1', 'the API sees nginx as its peer: JARVIS_TRUSTED_PROXIES=127.0.0.1');
});

test('a request id is kept when sent and created when missing', async () => {
  const kept = JSON.parse((await ask({ path: '/echo', from: '127.0.0.4', headers: { 'X-Request-Id': 'abc-123' } })).body.toString()) as Record<string, unknown>;
  assert.equal(kept.requestId, 'abc-123');
  const made = JSON.parse((await ask({ path: '/echo', from: '127.0.0.4' })).body.toString()) as Record<string, unknown>;
  assert.match(String(made.requestId), /^[0-9a-f]{32}$/);
});

test('requests are spread over the API instances in the upstream block', async () => {
  const served = new Set<string>();
  for (let i = 0; i < 6; i++) served.add(String((await ask({ path: '/echo', from: '127.0.0.5' })).headers['x-upstream']));
  assert.deepEqual([...served].sort(), ['a', 'b']);
});

test("nginx's rate limit answers 429 once the API tier's burst is spent", async () => {
  const statuses: number[] = [];
  const t0 = Date.now();
  for (let i = 0; i < 30; i++) statuses.push((await ask({ path: '/status', from: '127.0.0.3' })).status);
  const seconds = (Date.now() - t0) / 1000;
  // 60r/m with burst=20 nodelay: 1 + 20 at once, then one more per second that has passed.
  assert.ok(statuses.slice(0, 21).every((s) => s === 200), `the burst passes: ${statuses.join(',')}`);
  const passed = statuses.filter((s) => s === 200).length;
  assert.ok(passed <= 21 + Math.ceil(seconds), `${passed} passed in ${seconds.toFixed(1)} s: ${statuses.join(',')}`);
  assert.ok(statuses.includes(429));
  // probes are not limited
  assert.equal((await ask({ path: '/health', from: '127.0.0.3' })).status, 200);
});

test('the stream tier is limited separately, at its own smaller burst', async () => {
  // All at once: each stream lasts a second, long enough for the 30/min bucket to refill a little.
  const t0 = Date.now();
  const replies = await Promise.all(Array.from({ length: 16 }, () => ask({ method: 'POST', path: '/v1/audio/speech', from: '127.0.0.6', body: '{}' })));
  const seconds = (Date.now() - t0) / 1000;
  const statuses = replies.map((r) => r.status);
  const passed = statuses.filter((s) => s === 200).length;
  // 30r/m with burst=10: 1 + 10 at once, then one more per two seconds that have passed.
  assert.ok(passed >= 11 && passed <= 11 + Math.ceil(seconds / 2), `${passed} passed in ${seconds.toFixed(1)} s: ${statuses.join(',')}`);
  assert.equal(statuses.filter((s) => s === 429).length, 16 - passed, statuses.join(','));
});

test('one address gets at most 20 connections at once (limit_conn), the rest 429', async () => {
  // /health has no request-rate limit, so only the connection limit can refuse here.
  const replies = await Promise.all(Array.from({ length: 26 }, () => ask({ path: '/health?slow=1', from: '127.0.0.11' })));
  const statuses = replies.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 200).length, 20, statuses.join(','));
  assert.equal(statuses.filter((s) => s === 429).length, 6, statuses.join(','));
});

test('an audio stream arrives in several pieces before the upstream has finished', async () => {
  const r = await ask({ method: 'POST', path: '/audio/stream', from: '127.0.0.7', headers: { 'Content-Type': 'application/json' }, body: '{"text":"hello"}' });
  assert.equal(r.status, 200);
  assert.equal(r.body.length, STREAM_PIECES * 1024);
  assert.equal(r.headers['transfer-encoding'], 'chunked');
  assert.ok(r.arrivals.length >= 3, `arrived in ${r.arrivals.length} piece(s)`);
  const total = STREAM_PIECES * STREAM_GAP_MS;
  assert.ok(r.arrivals[0]! < total - 2 * STREAM_GAP_MS, `first bytes after ${r.arrivals[0]} ms of ${total}`);
});

test('a body over 10 MB is refused with 413 before it is sent', async () => {
  const r = await ask({ method: 'POST', path: '/chat', from: '127.0.0.8', headers: { 'Content-Type': 'application/json', 'Content-Length': String(11 * 1024 * 1024) } });
  assert.equal(r.status, 413);
});

test("nginx's own liveness URL answers on loopback only", async () => {
  assert.equal((await ask({ path: '/nginx-health', plain: true })).status, 200);
  assert.equal((await ask({ path: '/nginx-health', plain: true, from: '127.0.0.10' })).status, 403);
});

test('/metrics is not reachable through the public proxy', async () => {
  assert.equal((await ask({ path: '/metrics', from: '127.0.0.9' })).status, 404);
});
