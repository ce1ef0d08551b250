/**
 * One trace from the HTTP request through Koa, Jarvis's own spans and a publish, to the
 * projector's handling and the security event it derives: asserted on an in-memory exporter.
 * The SDK is started exactly as preload.ts does (loader hook first, then the SDK, then the
 * instrumented libraries are imported). The Kafka leg runs when KAFKA_BROKERS is set.
 */
import { register } from 'node:module';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
const { startTelemetry } = await import('../../src/telemetry/otel.ts');
const exporter = new InMemorySpanExporter();
const telemetry = startTelemetry({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

const http = await import('node:http');
const { default: Koa } = await import('koa');
const { default: Router } = await import('@koa/router');
const { ATTR, SPAN } = await import('../../src/telemetry/names.ts');
const { withSpan, currentTraceparent, contextFromEvent, annotateRequestSpan, currentTraceId, setRequestRoute } = await import('../../src/telemetry/tracing.ts');
const { createLogger, requestLogger } = await import('../../src/telemetry/logger.ts');

type Finished = ReturnType<InMemorySpanExporter['getFinishedSpans']>[number];
const SECRET = 'jrv_test_key_0123456789abcdefghij';
const logLines: string[] = [];
const logger = createLogger({
  level: 'info',
  destination: new Writable({ write(c: Buffer, _e, cb) { logLines.push(c.toString()); cb(); } }),
});

/** What a publish carries: the envelope's traceparent (the embedded log's path). */
const published: Array<{ traceparent: string | undefined }> = [];
let server: import('node:http').Server;
let base: string;

before(async () => {
  const app = new Koa();
  const router = new Router();
  app.use(async function requestContext(ctx, next) {
    annotateRequestSpan({ [ATTR.requestId]: 'req-trace-1' });
    ctx.state.log = requestLogger(logger, 'req-trace-1');
    await next();
  });
  app.use(async function authenticate(ctx, next) {
    await withSpan(SPAN.authenticate, { attributes: { [ATTR.authResult]: 'granted', [ATTR.authMethod]: 'api_key', [ATTR.principal]: 'env-1' } }, async () => {});
    await next();
  });
  // Jarvis matches routes itself (no @koa/router): setRequestRoute names the server span.
  app.use(async function routeMatch(ctx, next) {
    if (ctx.path.startsWith('/items/')) {
      setRequestRoute('/items/:id');
      ctx.body = { trace: currentTraceId() };
      return;
    }
    await next();
  });
  router.post('/chat', async function chat(ctx) {
    await withSpan(SPAN.publish, { attributes: { [ATTR.eventType]: 'jarvis.auth.decision_recorded.v1' } }, async () => {
      published.push({ traceparent: currentTraceparent() });
    });
    (ctx.state.log as ReturnType<typeof requestLogger>).info('answered');
    ctx.body = { ok: true, trace: currentTraceId() };
  });
  app.use(router.routes());
  server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await telemetry.shutdown();
});

function byName(spans: Finished[], name: string): Finished {
  const s = spans.find((x) => x.name === name);
  assert.ok(s, `span ${name} among ${spans.map((x) => x.name).join(', ')}`);
  return s;
}

function parentOf(span: Finished): string | undefined {
  return span.parentSpanContext?.spanId;
}

test('a request produces one trace: server span → koa middleware → auth and publish spans, and the log line carries its trace id', async () => {
  exporter.reset();
  const res = await fetch(`${base}/chat?token=${SECRET}`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}`, cookie: `s=${SECRET}`, 'x-request-id': 'req-trace-1' } });
  const body = (await res.json()) as { trace: string };
  await new Promise((r) => setTimeout(r, 50));
  const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === body.trace);

  const serverSpan = byName(spans, 'POST /chat');
  // fetch is instrumented too: the client span is the root and the server span its child.
  const clientSpan = byName(spans, 'POST');
  assert.equal(parentOf(clientSpan), undefined);
  assert.equal(parentOf(serverSpan), clientSpan.spanContext().spanId);
  assert.equal(serverSpan.attributes[ATTR.httpRoute], '/chat');
  assert.equal(serverSpan.attributes[ATTR.requestId], 'req-trace-1');
  const auth = byName(spans, SPAN.authenticate);
  const authMiddleware = byName(spans, 'middleware - authenticate');
  assert.equal(parentOf(auth), authMiddleware.spanContext().spanId);
  const publish = byName(spans, SPAN.publish);
  assert.equal(publish.spanContext().traceId, serverSpan.spanContext().traceId);

  // Nothing secret anywhere in any span of the trace.
  const dump = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
  assert.ok(!dump.includes(SECRET), `no span holds the credential: ${dump}`);
  assert.match(String(serverSpan.attributes['url.query'] ?? ''), /REDACTED/);

  const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'answered');
  assert.equal(line?.trace_id, body.trace);
  assert.equal(line?.request_id, 'req-trace-1');
});

test('a route matched by the app itself names the server span with its template, not the path', async () => {
  exporter.reset();
  const res = await fetch(`${base}/items/12345`);
  const { trace } = (await res.json()) as { trace: string };
  await new Promise((r) => setTimeout(r, 50));
  const server = exporter.getFinishedSpans().find((s) => s.spanContext().traceId === trace && s.kind === 1);
  assert.equal(server?.name, 'GET /items/:id');
  assert.equal(server?.attributes[ATTR.httpRoute], '/items/:id');
});

test('the projector handling an event joins the request trace through the event traceparent', async () => {
  exporter.reset();
  published.length = 0;
  const res = await fetch(`${base}/chat`, { method: 'POST' });
  const { trace } = (await res.json()) as { trace: string };
  const tp = published[0]?.traceparent;
  assert.match(tp ?? '', new RegExp(`^00-${trace}-[0-9a-f]{16}-01$`));

  // Later, elsewhere: the projector reads the envelope and derives a security event.
  await withSpan(SPAN.projectorHandle, { parent: contextFromEvent({ traceparent: tp }) }, async () => {
    await withSpan(SPAN.securityEvent, { attributes: { [ATTR.securityCode]: 'JRV-AUTH-001' } }, async () => {});
  });
  const spans = exporter.getFinishedSpans();
  const handle = byName(spans, SPAN.projectorHandle);
  const sec = byName(spans, SPAN.securityEvent);
  assert.equal(handle.spanContext().traceId, trace);
  assert.equal(parentOf(handle), tp?.split('-')[2], 'child of the publish span');
  assert.equal(parentOf(sec), handle.spanContext().spanId);
});

test('a malformed traceparent starts a new trace instead of failing', async () => {
  exporter.reset();
  const got = await withSpan(SPAN.projectorHandle, { parent: contextFromEvent({ traceparent: 'garbage', headers: { traceparent: Buffer.from('00-zz') } }) }, async () => currentTraceId());
  assert.match(got ?? '', /^[0-9a-f]{32}$/);
});

test('a failing span is marked ERROR with the error code, and the error is rethrown unchanged', async () => {
  exporter.reset();
  const err = Object.assign(new Error(`refused ${SECRET}`), { code: 'ERR_TTS_QUEUE_FULL' });
  await assert.rejects(withSpan(SPAN.ttsSynthesize, {}, async () => { throw err; }), (e) => e === err);
  const span = byName(exporter.getFinishedSpans(), SPAN.ttsSynthesize);
  assert.equal(span.status.code, 2);
  assert.equal(span.attributes[ATTR.errorCode], 'ERR_TTS_QUEUE_FULL');
  assert.ok(!JSON.stringify(span.attributes).includes(SECRET), 'the message (user input) is not recorded');
});

test('through Kafka: the producer span, the consumer span and the projector span share the request trace', { skip: !process.env.KAFKA_BROKERS && 'KAFKA_BROKERS not set' }, async () => {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'telemetry-test', brokers: (process.env.KAFKA_BROKERS ?? '').split(','), logLevel: logLevel.NOTHING });
  const topic = `test.telemetry.${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `telemetry-test-${randomUUID()}` });
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    exporter.reset();
    const handled = new Promise<string | undefined>((resolve) => {
      void consumer.run({
        eachMessage: async () => {
          const id = await withSpan(SPAN.projectorHandle, {}, async () => {
            await withSpan(SPAN.securityEvent, {}, async () => {});
            return currentTraceId();
          });
          resolve(id);
        },
      });
    });
    const requestTrace = await withSpan(SPAN.publish, {}, async () => {
      await producer.send({ topic, messages: [{ key: 'k', value: '{}' }] });
      return currentTraceId();
    });
    const consumedTrace = await Promise.race([handled, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no message within 30 s')), 30_000))]);
    assert.equal(consumedTrace, requestTrace);
    // The consumer span ends just after eachMessage returns.
    const processName = `process ${topic}`;
    for (let i = 0; i < 100 && !exporter.getFinishedSpans().some((s) => s.name === processName); i++) await new Promise((r) => setTimeout(r, 20));
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === requestTrace);
    const names = spans.map((s) => s.name);
    assert.ok(names.includes(`send ${topic}`), names.join(', '));
    assert.ok(names.includes(`process ${topic}`), names.join(', '));
    assert.equal(parentOf(byName(spans, SPAN.projectorHandle)), byName(spans, `process ${topic}`).spanContext().spanId);
  } finally {
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
});
