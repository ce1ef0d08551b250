// Reference: koa-headers.ts plus the two events Jarvis publishes for an authenticated GET /status
// (the authorization decision and the completed request), durable on the embedded log through
// Jarvis's own publisher — and nothing else: no checks, no metrics, no projection reading the
// events back. What the contract's headers and "every decision and request is an event" cost.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { loadConfig } from '../../src/config/config.ts';
import { createEventLog, createPublisher } from '../../src/eventlog/factory.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { randomIds } from '../../src/shared/ids.ts';
import { statusEvents } from './status-events.ts';
import { answerLikeStatus, serve } from './status-answer.ts';

const config = loadConfig({ NODE_ENV: 'production', JARVIS_DATA_DIR: process.env.BENCH_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'jarvis-bench-events-')), JARVIS_JWT_SECRET: 'bench-secret-'.padEnd(64, 'b') }, '0.1.0');
const log = createEventLog(config);
await log.start();
const publisher = createPublisher(config, log, systemClock, randomIds);

const app = new Koa();
app.use((ctx) => {
  const started = Date.now();
  const events = statusEvents(config.instanceId, answerLikeStatus(ctx));
  const decision = events.decision();
  publisher.publish(decision.def, decision.data, decision.meta);
  ctx.res.once('finish', () => {
    const done = events.completed(Date.now() - started);
    publisher.publish(done.def, done.data, done.meta);
  });
});
serve(app);
process.on('SIGTERM', () => void publisher.close().then(() => log.close()).then(() => process.exit(0)));
