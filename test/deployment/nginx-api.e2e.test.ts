/**
 * The real Jarvis API (startJarvis, embedded log, embedded speech engine) behind the real nginx
 * with the deployment configuration, as on a manual install: the API trusts nginx
 * (JARVIS_TRUSTED_PROXIES=127.0.0.1) and so sees each client's own address.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNginx, type RunningNginx } from '../support/deployment-nginx.ts';
import { ask as askThrough, headerCount, type Ask, type Reply } from '../support/deployment-client.ts';
import { KEYS, startTestJarvis, type TestJarvis } from '../support/http-jarvis.ts';

let api: TestJarvis;
let nginx: RunningNginx;
const ask = (a: Ask): Promise<Reply> => askThrough(nginx, a);
const auth = { Authorization: `Bearer ${KEYS.full}` };

before(async () => {
  api = await startTestJarvis({
    JARVIS_TRUSTED_PROXIES: '127.0.0.1',
    // nginx's own probe comes from 127.0.0.1; the clients of this test from 127.0.0.20..29.
    JARVIS_ALLOWED_IPS: '127.0.0.1,127.0.0.20',
    JARVIS_TRUSTED_HOSTS: 'localhost',
    JARVIS_TTS_ENGINE: 'embedded',
  });
  nginx = await startNginx([new URL(api.url).host]);
});

after(async () => {
  await nginx?.stop();
  await api?.close();
});

test('the API answers /health through nginx over HTTPS', async () => {
  const r = await ask({ path: '/health', from: '127.0.0.20' });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body.toString()), { status: 'ok' });
});

test('the API sees the client behind nginx: its IP allow-list admits 127.0.0.20 and refuses 127.0.0.21', async () => {
  const allowed = await ask({ path: '/status', from: '127.0.0.20', headers: auth });
  assert.equal(allowed.status, 200, allowed.body.toString());
  const refused = await ask({ path: '/status', from: '127.0.0.21', headers: auth });
  assert.equal(refused.status, 403);
  assert.match(String(refused.headers['content-type']), /application\/problem\+json/, 'refused by the API, not by nginx');
});

test('a client cannot borrow an allowed address by sending X-Forwarded-For itself', async () => {
  const r = await ask({ path: '/status', from: '127.0.0.21', headers: { ...auth, 'X-Forwarded-For': '127.0.0.20' } });
  assert.equal(r.status, 403);
});

test('security headers reach the client exactly once, though both nginx and the API set them', async () => {
  const r = await ask({ path: '/status', from: '127.0.0.20', headers: auth });
  for (const h of ['strict-transport-security', 'x-content-type-options', 'x-frame-options', 'content-security-policy', 'referrer-policy']) {
    assert.equal(headerCount(r, h), 1, h);
  }
  assert.match(String(r.headers['x-request-id']), /^[0-9a-f]{32}$/, "nginx's request id, kept by the API");
});

test('speech from POST /audio/stream arrives through nginx in pieces, the first well before the last', async () => {
  const text = 'Good evening. This answer is spoken while it is synthesized. Each sentence leaves as soon as it is ready. The proxy must not hold it back.';
  const r = await ask({ method: 'POST', path: '/audio/stream', from: '127.0.0.20', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ text, chunk_size: 4096 }) });
  assert.equal(r.status, 200, r.body.toString().slice(0, 300));
  assert.equal(r.headers['content-type'], 'audio/wav');
  assert.equal(r.headers['transfer-encoding'], 'chunked');
  assert.equal(r.body.subarray(0, 4).toString('latin1'), 'RIFF');
  assert.ok(r.arrivals.length >= 3, `${r.arrivals.length} piece(s)`);
  const first = r.arrivals[0]!;
  const last = r.arrivals.at(-1)!;
  // Measured here: first bytes at ~210 ms, the last at ~2000 ms, in four bursts (one per sentence).
  assert.ok(last - first >= 100, `first bytes at ${first} ms, last at ${last} ms: streamed, not buffered`);
  assert.ok(new Set(r.arrivals.map((ms) => Math.floor(ms / 50))).size >= 2, 'in separate bursts');
});

test("the API's own problem answers pass through unchanged (401 with WWW-Authenticate)", async () => {
  const r = await ask({ path: '/status', from: '127.0.0.20' });
  assert.equal(r.status, 401);
  assert.match(String(r.headers['www-authenticate']), /^Bearer/);
  assert.match(String(r.headers['content-type']), /application\/problem\+json/);
});
