/**
 * `npm run bench` reads Jarvis's figures against reference servers (bench/servers/). The
 * comparison only means something while each reference answers GET /status as Jarvis does
 * (the same response headers, a body of the same shape), and while the two that stand for
 * "every request is a durable event" really write both of the request's events to a log file.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { StatusResponse } from '../../src/http/routes/system.ts';
import { KEYS, startTestJarvis, type TestJarvis } from '../support/http-jarvis.ts';

/** Headers that describe the connection or the moment, not the answer. */
const TRANSPORT = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

interface Reference {
  readonly url: string;
  stop(): Promise<void>;
}

async function startReference(file: string, env: Record<string, string> = {}): Promise<Reference> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.resolve('bench/servers', file)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => line.startsWith('READY ') && resolve(line.slice(6)));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function answerNames(res: Response): string[] {
  return [...res.headers.keys()].filter((k) => !TRANSPORT.has(k)).sort();
}

let jarvis: TestJarvis;
let jarvisNames: string[];
before(async () => {
  jarvis = await startTestJarvis();
  const res = await jarvis.fetch('/status', { key: KEYS.full });
  assert.equal(res.status, 200);
  jarvisNames = answerNames(res);
  await res.arrayBuffer();
});
after(() => jarvis.close());

for (const file of ['koa-headers.ts', 'koa-events-offthread.ts', 'koa-events.ts']) {
  test(`${file} answers GET /status with the headers Jarvis answers with, and a body of its shape`, async (t) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'jarvis-bench-ref-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const ref = await startReference(file, { BENCH_DATA_DIR: dataDir });
    t.after(() => ref.stop());
    const res = await fetch(`${ref.url}/status`);
    assert.equal(res.status, 200);
    assert.deepEqual(answerNames(res), jarvisNames);
    StatusResponse.strict().parse(await res.json());
  });
}

for (const file of ['koa-events-offthread.ts', 'koa-events.ts']) {
  test(`${file} writes both events of every request it answered to its log file before it exits`, async (t) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'jarvis-bench-ref-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const ref = await startReference(file, { BENCH_DATA_DIR: dataDir });
    const answered = 25;
    for (let i = 0; i < answered; i++) await (await fetch(`${ref.url}/status`)).arrayBuffer();
    await ref.stop();
    const db = new Database(path.join(dataDir, 'eventlog.db'), { readonly: true });
    t.after(() => db.close());
    const types = (db.prepare('SELECT value FROM records').pluck().all() as Buffer[]).map((v) => (JSON.parse(v.toString('utf8')) as { type: string }).type);
    assert.equal(types.filter((ty) => ty === 'jarvis.auth.decision_recorded.v1').length, answered);
    assert.equal(types.filter((ty) => ty === 'jarvis.http.request_completed.v1').length, answered);
  });
}
