/** A real crash (SIGKILL) between the store and the log's acknowledgement never double-counts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RequestCompleted } from '../../events/index.ts';
import { countInWindow, rateCountersProjection, type RateCountersState } from '../../src/projections/ratelimit/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import type { Projection } from '../../src/projections/types.ts';
import { at } from '../support/projections-given.ts';
import { appendAll, embeddedLog, eventually, tempDir } from '../support/projections-log.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const T0 = Date.parse('2026-03-01T10:00:00.000Z');

test('a process killed right after storing a batch, before its acknowledgement, resumes without counting it twice', { timeout: 90_000 }, async () => {
  const dir = tempDir('crash');
  try {
    const log = embeddedLog(dir, 20).open();
    await log.start();
    await appendAll(log, Array.from({ length: 100 }, (_, i) =>
      at(T0 - 1000 + i, RequestCompleted, { method: 'GET', route: '/status', status: 200, duration_ms: 1, bytes_in: 0, bytes_out: 1, ip: '10.2.0.1', principal: 'key-a', tier: 'api', error_code: null, request_id: `b${i}`, instance: 'i1' }, { id: `before-${i}` })));
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/projections-crash-child.ts', dir, '600', '7'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    assert.equal(signal, 'SIGKILL', `the child crashed as planned (exit code ${code})`);

    const runner = new ProjectionRunner({ log, file: path.join(dir, 'projections.db'), setName: 'crash', settleMs: 100, projections: [rateCountersProjection({ maxWindowMs: 3_600_000 }) as Projection<unknown>] });
    await runner.start();
    try {
      const count = () => countInWindow(runner.state<RateCountersState>('ratelimit'), 'api', 'principal', 'key-a', T0 + 600_000, 3_600_000);
      await eventually(() => count() === 700, 20_000, 'every event, once');
      await runner.ready;
      assert.equal(count(), 700);
      assert.ok(runner.stats.alreadyApplied > 0, 'the batch stored before the crash came again and was skipped');
    } finally {
      await runner.stop();
      await log.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
