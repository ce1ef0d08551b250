// Reference: koa-events.ts with the cheapest durable write we could build instead of Jarvis's
// publisher: the request thread only builds and serializes the two envelopes, and every 4 ms
// hands the batch to a worker thread that appends it to an embedded-log file. No validation,
// no backlog bound, no delivery to consumers, no metrics: a lower bound for "every decision and
// request is a durable event" on this machine, not a design to ship.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Koa from 'koa';
import { envelopeFactory, type EventMeta } from '../../src/eventlog/envelope.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { randomIds } from '../../src/shared/ids.ts';
import { statusEvents } from './status-events.ts';
import { answerLikeStatus, serve } from './status-answer.ts';

const file = path.join(process.env.BENCH_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'jarvis-bench-offthread-')), 'eventlog.db');
// Worker threads do not inherit tsx's loader: the shim registers it, then loads the writer.
const writer = new Worker(new URL('./offthread-writer.mjs', import.meta.url), { workerData: { file } });
const envelopes = envelopeFactory('/jarvis-api/bench', systemClock, randomIds, false);

let batch: string[] = [];
let scheduled = false;
let sent = 0;
let written = 0;
writer.on('message', (n: number) => (written += n));
const handOver = () => {
  scheduled = false;
  if (batch.length === 0) return;
  writer.postMessage(batch);
  sent += batch.length / 4;
  batch = [];
};
function publish(e: { def: { topic: string }; data: unknown; meta: EventMeta }): void {
  const env = envelopes.create(e.def as never, e.data as never, e.meta);
  batch.push(e.def.topic, e.meta.key, JSON.stringify(env), JSON.stringify({ 'content-type': 'application/cloudevents+json; charset=utf-8', traceparent: e.meta.traceparent }));
  if (!scheduled) {
    scheduled = true;
    setTimeout(handOver, 4);
  }
}

const app = new Koa();
app.use((ctx) => {
  const started = Date.now();
  const events = statusEvents('bench', answerLikeStatus(ctx));
  publish(events.decision());
  ctx.res.once('finish', () => publish(events.completed(Date.now() - started)));
});
serve(app);
process.on('SIGTERM', () => {
  handOver();
  const exitWhenWritten = () => (written >= sent ? process.exit(0) : setTimeout(exitWhenWritten, 5));
  exitWhenWritten();
});
