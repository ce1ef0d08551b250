/**
 * The suite is not vacuous: against a deliberately insecure loopback server (answers 200 to
 * everything, names its framework, sends no security headers) the named checks fail, and the
 * CLI ends with the summary line and a non-zero exit.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { suiteOptions } from './options.ts';
import { runSuite } from './suite.ts';

let server: http.Server;
let url: URL;

before(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    res.setHeader('X-Powered-By', 'Express');
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ status: 'ok', version: '1.0.0', path: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

after(() => new Promise<void>((r) => server.close(() => r())));

const keys = { admin: 'admin-0123456789abcdef', read: 'read-0123456789abcdef', chat: 'chat-0123456789abcdef', full: 'full-0123456789abcdef' };

test('an insecure server fails the checks that describe its flaws', async () => {
  const report = await runSuite(suiteOptions({ url, keys, groups: ['health', 'headers', 'authentication', 'metrics'] }));
  const failed = new Set(report.results.filter((r) => r.outcome === 'failed').map((r) => r.name));
  for (const name of [
    'GET /health without a credential is 200 with exactly {"status":"ok"}',
    'GET /status without a credential is 401 with WWW-Authenticate: Bearer',
    'GET /admin/keys without a credential is 401 with WWW-Authenticate: Bearer',
    'a garbage token is refused with 401 on GET /status',
    'no X-Powered-By header on any answer',
    'Strict-Transport-Security with max-age of at least 180 days is on every answer',
    'GET /metrics on the API port is 404 without a credential',
  ]) assert.ok(failed.has(name), `expected "${name}" to fail`);
  assert.ok(report.failed >= 7);
});

test('the CLI prints the summary as its last line and exits 1 on failures', async () => {
  const run = promisify(execFile);
  const err = await run(process.execPath, ['--import', 'tsx', 'test/security/run.ts', '--url', url.origin, '--only', 'health'], { env: { ...process.env, JARVIS_SECURITY_URL: '' } })
    .then(() => undefined, (e: { code?: number; stdout?: string }) => e);
  assert.ok(err, 'the run must fail');
  assert.equal(err.code, 1);
  const last = (err.stdout ?? '').trim().split('\n').at(-1);
  assert.match(last ?? '', /^\d+ passed, [1-9]\d* failed, \d+ skipped$/);
});

test('the CLI refuses a missing target with exit code 2', async () => {
  const run = promisify(execFile);
  const err = await run(process.execPath, ['--import', 'tsx', 'test/security/run.ts'], { env: { ...process.env, JARVIS_SECURITY_URL: '' } })
    .then(() => undefined, (e: { code?: number; stderr?: string }) => e);
  assert.equal(err?.code, 2);
  assert.match(err?.stderr ?? '', /no target/);
});
