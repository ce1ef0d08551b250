/**
 * Native TLS (JARVIS_TLS_CERT, JARVIS_TLS_KEY), checked the way a client and an operator would:
 * a real instance on a fresh self-signed certificate, real handshakes at each protocol version,
 * and the real process entry of `npm start` for bad configurations.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { JWT_SECRET, KEYS, startTestJarvis, type TestJarvis } from '../support/http-jarvis.ts';
import { makeSelfSignedCert, type TestCert } from '../support/tls-cert.ts';

const root = path.resolve(import.meta.dirname, '../..');
const HEADERS_TIMEOUT_S = 3;

interface HttpsAnswer { status: number; headers: Record<string, string | string[] | undefined>; body: string; protocol: string | null; fingerprint256: string }

/** GET over https with `ca` as the only trusted root; a fresh connection each time (no pooled sockets left behind). */
function httpsGet(url: string, opts: { ca?: Buffer; key?: string }): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = opts.key ? { authorization: `Bearer ${opts.key}` } : {};
    const req = https.request(url, { ca: opts.ca, headers, agent: false, timeout: 10_000 }, (res) => {
      const socket = res.socket as tls.TLSSocket;
      const protocol = socket.getProtocol();
      const fingerprint256 = socket.getPeerCertificate().fingerprint256;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), protocol, fingerprint256 }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('https request timed out')));
    req.on('error', reject);
    req.end();
  });
}

type Handshake = { ok: true; protocol: string | null; authorized: boolean } | { ok: false; code: string };

/**
 * One TLS handshake pinned to `version`. OpenSSL 3's default security level keeps a client from
 * even offering TLS 1.0/1.1, which would make a refusal prove nothing about the server; so the
 * probe lowers its own level and the control test below shows it really completes old handshakes.
 */
function handshake(port: number, version: tls.SecureVersion, ca: Buffer): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0' });
    const timer = setTimeout(() => { socket.destroy(); resolve({ ok: false, code: 'TIMEOUT' }); }, 10_000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve({ ok: true, protocol: socket.getProtocol(), authorized: socket.authorized });
      socket.destroy();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, code: err.code ?? err.message });
    });
  });
}

/** Resolves with how long after `since` the socket was closed by the peer (reading all it sends), or null after `capMs`. */
function closedAfter(socket: net.Socket, since: number, capMs: number): Promise<{ ms: number | null; data: string }> {
  return new Promise((resolve) => {
    let data = '';
    socket.on('data', (c: Buffer) => { data += c.toString('latin1'); });
    socket.on('error', () => undefined);
    const timer = setTimeout(() => { socket.destroy(); resolve({ ms: null, data }); }, capMs);
    socket.on('close', () => { clearTimeout(timer); resolve({ ms: Date.now() - since, data }); });
  });
}

/** Speaks plain HTTP/1.1 to a port and returns whatever bytes come back before the close (or 5 s). */
function plainHttp(port: number, request: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(request));
    const done = () => { clearTimeout(timer); socket.destroy(); resolve(Buffer.concat(chunks)); };
    const timer = setTimeout(done, 5000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', done);
    socket.on('error', done);
  });
}

describe('native TLS: a client on the https port', () => {
  let cert: TestCert;
  let t: TestJarvis;
  let port: number;
  before(async () => {
    cert = makeSelfSignedCert();
    // Short timeouts, so the slow-client checks below take seconds, not the default 20 s (headers)
    // and 120 s (request), which also bound how long a stuck connection can hold up close().
    t = await startTestJarvis({ JARVIS_TLS_CERT: cert.certFile, JARVIS_TLS_KEY: cert.keyFile, JARVIS_HEADERS_TIMEOUT: `${HEADERS_TIMEOUT_S}s`, JARVIS_REQUEST_TIMEOUT: '5s' });
    port = Number(new URL(t.url).port);
  });
  after(async () => {
    await t?.close();
    cert?.remove();
  });

  it('is given an https URL by startJarvis', () => {
    assert.match(t.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('gets an authenticated GET /status over https, from the configured certificate', async () => {
    const res = await httpsGet(`${t.url}/status`, { ca: cert.cert, key: KEYS.read });
    assert.equal(res.status, 200);
    assert.equal(res.fingerprint256, cert.fingerprint256);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    assert.equal(body.version, '0.1.0-test');
    assert.ok('ai_providers' in body);
    const anonymous = await httpsGet(`${t.url}/status`, { ca: cert.cert });
    assert.equal(anonymous.status, 401);
  });

  it('cannot connect when it does not trust the self-signed certificate', async () => {
    await assert.rejects(httpsGet(`${t.url}/health`, {}), (e: NodeJS.ErrnoException) => e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('gets GET /health as 200 {"status":"ok"} with Strict-Transport-Security', async () => {
    const res = await httpsGet(`${t.url}/health`, { ca: cert.cert });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { status: 'ok' });
    const hsts = String(res.headers['strict-transport-security'] ?? '');
    const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0);
    assert.ok(maxAge >= 31_536_000, `HSTS max-age of at least a year, got "${hsts}"`);
    assert.match(hsts, /includeSubDomains/i);
  });

  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    it(`is refused a ${version} handshake with a protocol_version alert`, async () => {
      const result = await handshake(port, version, cert.cert);
      assert.deepEqual(result, { ok: false, code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    });
  }

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`completes a ${version} handshake, verified for the name localhost`, async () => {
      assert.deepEqual(await handshake(port, version, cert.cert), { ok: true, protocol: version, authorized: true });
    });
  }

  it('(control) the same probe completes TLS 1.0 and 1.1 with a server that allows them, so the refusals are Jarvis\'s', async () => {
    const lenient = tls.createServer({ cert: cert.cert, key: readFileSync(cert.keyFile), minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' }, (s) => s.end());
    await new Promise<void>((resolve) => lenient.listen(0, '127.0.0.1', resolve));
    try {
      const lenientPort = (lenient.address() as net.AddressInfo).port;
      assert.deepEqual(await handshake(lenientPort, 'TLSv1', cert.cert), { ok: true, protocol: 'TLSv1', authorized: true });
      assert.deepEqual(await handshake(lenientPort, 'TLSv1.1', cert.cert), { ok: true, protocol: 'TLSv1.1', authorized: true });
    } finally {
      await new Promise((resolve) => lenient.close(resolve));
    }
  });

  it('is answered 408 and closed after the headers timeout when it completes the handshake but never finishes its headers', async () => {
    const since = Date.now();
    const socket = tls.connect({ host: '127.0.0.1', port, ca: cert.cert, servername: 'localhost' }, () => socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`));
    const { ms, data } = await closedAfter(socket, since, (HEADERS_TIMEOUT_S + 5) * 1000);
    assert.ok(ms !== null && ms >= HEADERS_TIMEOUT_S * 1000 - 100, `closed after ${ms} ms`);
    assert.match(data, /^HTTP\/1\.1 408 /);
  });

  it('drops a connection that never starts the TLS handshake after the headers timeout, as plain HTTP does', async () => {
    const since = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port });
    const { ms } = await closedAfter(socket, since, (HEADERS_TIMEOUT_S + 5) * 1000);
    assert.ok(ms !== null && ms <= (HEADERS_TIMEOUT_S + 2) * 1000, `still open ${HEADERS_TIMEOUT_S + 5} s later (closed after: ${ms} ms)`);
  });

  it('gets no API answer when it speaks plain HTTP to the TLS port', async () => {
    const reply = await plainHttp(port, `GET /status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${KEYS.read}\r\nConnection: close\r\n\r\n`);
    const text = reply.toString('latin1');
    assert.doesNotMatch(text, /^HTTP\/1\.[01] 2\d\d/);
    assert.ok(!text.includes('ai_providers') && !text.includes('"version"'), `no API body in ${JSON.stringify(text.slice(0, 200))}`);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(10_000) }));
  });
});

interface Exit { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; stillRunning: boolean }

/** Runs the process entry of `npm start` (src/cli/serve.ts, one worker) and waits for it to stop, at most 30 s. */
function startProcess(env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let stillRunning = false;
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    const timer = setTimeout(() => { stillRunning = true; child.kill('SIGKILL'); }, 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr, stillRunning }); });
  });
}

describe('native TLS: a bad configuration stops the start with one clear line naming the variable', () => {
  let good: TestCert;
  let other: TestCert;
  let notPem: string;
  let derCert: string;
  let dataRoot: string;
  before(() => {
    good = makeSelfSignedCert();
    other = makeSelfSignedCert();
    dataRoot = path.join(good.dir, 'data');
    notPem = path.join(good.dir, 'not-a-certificate.txt');
    writeFileSync(notPem, 'this is not a PEM file\n');
    mkdirSync(path.join(good.dir, 'a-directory'));
    derCert = path.join(good.dir, 'cert.der');
    execFileSync('openssl', ['x509', '-in', good.certFile, '-outform', 'DER', '-out', derCert], { stdio: 'ignore' });
  });
  after(() => {
    good?.remove();
    other?.remove();
  });

  const cases: { name: string; variable: string; env: () => Record<string, string> }[] = [
    { name: 'JARVIS_TLS_CERT without JARVIS_TLS_KEY', variable: 'JARVIS_TLS_KEY', env: () => ({ JARVIS_TLS_CERT: good.certFile }) },
    { name: 'JARVIS_TLS_KEY without JARVIS_TLS_CERT', variable: 'JARVIS_TLS_CERT', env: () => ({ JARVIS_TLS_KEY: good.keyFile }) },
    { name: 'a JARVIS_TLS_CERT path that does not exist', variable: 'JARVIS_TLS_CERT', env: () => ({ JARVIS_TLS_CERT: path.join(good.dir, 'missing.pem'), JARVIS_TLS_KEY: good.keyFile }) },
    { name: 'a JARVIS_TLS_KEY path that does not exist', variable: 'JARVIS_TLS_KEY', env: () => ({ JARVIS_TLS_CERT: good.certFile, JARVIS_TLS_KEY: path.join(good.dir, 'missing.pem') }) },
    { name: 'a JARVIS_TLS_CERT path that is a directory (unreadable as a file)', variable: 'JARVIS_TLS_CERT', env: () => ({ JARVIS_TLS_CERT: path.join(good.dir, 'a-directory'), JARVIS_TLS_KEY: good.keyFile }) },
    { name: 'a JARVIS_TLS_CERT file that is not a PEM certificate', variable: 'JARVIS_TLS_CERT', env: () => ({ JARVIS_TLS_CERT: notPem, JARVIS_TLS_KEY: good.keyFile }) },
    { name: 'a JARVIS_TLS_CERT in DER form (https takes PEM only)', variable: 'JARVIS_TLS_CERT', env: () => ({ JARVIS_TLS_CERT: derCert, JARVIS_TLS_KEY: good.keyFile }) },
    { name: 'a JARVIS_TLS_KEY file that is not a PEM private key', variable: 'JARVIS_TLS_KEY', env: () => ({ JARVIS_TLS_CERT: good.certFile, JARVIS_TLS_KEY: good.certFile }) },
    { name: 'a JARVIS_TLS_KEY that does not belong to the certificate', variable: 'JARVIS_TLS_KEY', env: () => ({ JARVIS_TLS_CERT: good.certFile, JARVIS_TLS_KEY: other.keyFile }) },
  ];

  for (const c of cases) {
    it(`${c.name}: exits 78 with one line naming ${c.variable}`, async () => {
      const exit = await startProcess({
        NODE_ENV: 'test',
        JARVIS_DATA_DIR: path.join(dataRoot, c.variable + '-' + cases.indexOf(c)),
        JARVIS_PORT: '0',
        JARVIS_METRICS_PORT: '0',
        JARVIS_LOG_LEVEL: 'warn',
        JARVIS_JWT_SECRET: JWT_SECRET,
        JARVIS_API_KEY_1: KEYS.full,
        ...c.env(),
      });
      assert.equal(exit.stillRunning, false, `the process kept running; stdout: ${exit.stdout.slice(0, 300)}`);
      const lines = exit.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line on stderr, got:\n${exit.stderr.slice(0, 1500)}`);
      assert.match(lines[0]!, new RegExp(`^jarvis: configuration error: ${c.variable}: `));
      assert.equal(exit.code, 78);
    });
  }

  it('loadConfig names the missing half of the pair', () => {
    const base = { NODE_ENV: 'test', JARVIS_JWT_SECRET: JWT_SECRET };
    assert.throws(() => loadConfig({ ...base, JARVIS_TLS_CERT: good.certFile }), (e: unknown) => e instanceof ConfigError && e.variable === 'JARVIS_TLS_KEY');
    assert.throws(() => loadConfig({ ...base, JARVIS_TLS_KEY: good.keyFile }), (e: unknown) => e instanceof ConfigError && e.variable === 'JARVIS_TLS_CERT');
    assert.equal(loadConfig({ ...base, JARVIS_TLS_CERT: good.certFile, JARVIS_TLS_KEY: good.keyFile }).http.tls?.certFile, good.certFile);
  });
});
