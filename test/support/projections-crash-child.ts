/**
 * Child process for the crash test: runs a projection runner on the embedded log in `dir`,
 * waits until it has caught up, appends more events, and SIGKILLs itself right after the
 * runner stored a batch and before the log could acknowledge it — a real crash in the window
 * where a careless runner would count that batch twice.
 * argv: <dir> <events to append> <batches to handle before the crash>
 */
import path from 'node:path';
import { RequestCompleted } from '../../events/index.ts';
import type { EventLog, SubscribeOptions } from '../../src/eventlog/types.ts';
import { rateCountersProjection } from '../../src/projections/ratelimit/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import type { Projection } from '../../src/projections/types.ts';
import { at } from './projections-given.ts';
import { appendAll, embeddedLog } from './projections-log.ts';

const [dir, more, crashAfter] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const real = embeddedLog(dir, 20).open();
let armed = false;
let handled = 0;
const log: EventLog = {
  kind: real.kind,
  start: () => real.start(),
  append: (r) => real.append(r),
  health: () => real.health(),
  close: () => real.close(),
  subscribe: (o: SubscribeOptions) =>
    real.subscribe({
      ...o,
      onBatch: async (batch) => {
        await o.onBatch(batch);
        if (armed && ++handled >= crashAfter) process.kill(process.pid, 'SIGKILL');
      },
    }),
};
await log.start();
const runner = new ProjectionRunner({
  log, file: path.join(dir, 'projections.db'), setName: 'crash', settleMs: 100, snapshotMinGapMs: 3_600_000,
  projections: [rateCountersProjection({ maxWindowMs: 3_600_000 }) as Projection<unknown>],
});
await runner.start();
await runner.ready;
while (runner['building']) await new Promise((r) => setTimeout(r, 10));
armed = true;
await appendAll(log, Array.from({ length: more }, (_, i) =>
  at(T0 + i, RequestCompleted, { method: 'GET', route: '/status', status: 200, duration_ms: 1, bytes_in: 0, bytes_out: 1, ip: `10.1.0.${i % 40}`, principal: 'key-a', tier: 'api', error_code: null, request_id: `c${i}`, instance: 'i1' }, { id: `crash-${i}` })));
await new Promise((r) => setTimeout(r, 30_000)); // the kill comes first
process.exit(3);
