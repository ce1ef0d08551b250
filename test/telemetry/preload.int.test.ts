/**
 * The preload (`node --import ./src/telemetry/preload.ts`) as an operator runs it: without any
 * OTEL_* variable it traces silently (ids, no export, no errors); with an OTLP endpoint it
 * exports there (a loopback OTLP/HTTP JSON receiver stands in for a collector); with an
 * endpoint nobody listens on, the program still runs and exits cleanly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SECRET = 'jrv_preload_secret_0123456789';

function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './src/telemetry/preload.ts', 'test/support/telemetry-preload-app.ts', SECRET], {
    cwd: ROOT,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

test('without OTEL_* variables: trace ids exist, nothing is exported, nothing is printed', async () => {
  const r = await run({});
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^TRACE [0-9a-f]{32}$/m);
  assert.equal(r.stderr, '');
});

test('with an OTLP endpoint: spans reach the collector, named jarvis-api, without credentials', async () => {
  const bodies: string[] = [];
  const collector = http.createServer((req, res) => {
    let d = '';
    req.on('data', (c: Buffer) => (d += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') bodies.push(d);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = collector.address() as AddressInfo;
    const r = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    assert.equal(r.code, 0, r.stderr);
    const traceId = /TRACE ([0-9a-f]{32})/.exec(r.stdout)?.[1];
    assert.ok(traceId);
    const all = bodies.join('\n');
    assert.ok(bodies.length > 0, 'the collector received spans');
    assert.match(all, /"service\.name","value":\{"stringValue":"jarvis-api"\}/);
    assert.ok(all.includes(traceId) || all.includes(Buffer.from(traceId, 'hex').toString('base64')), 'the request trace was exported');
    assert.ok(!all.includes(SECRET), `no credential in exported spans: ${all}`);
  } finally {
    await new Promise((resolve) => collector.close(resolve));
  }
});

test('with an endpoint nobody listens on: the program runs, exits 0 and prints no error', async () => {
  const r = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^TRACE [0-9a-f]{32}$/m);
  assert.equal(r.stderr, '');
  assert.ok(r.ms < 20_000, `exited after ${r.ms} ms`);
});
