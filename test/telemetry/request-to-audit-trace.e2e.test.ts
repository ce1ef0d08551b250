/**
 * One trace from the request to the audit stream, on the real app and the real projector
 * (embedded log): a request with an unknown key is traced (server span, Koa middleware spans),
 * its auth event carries the request's traceparent, and the SECURITY_EVENT the projector
 * derives from it names the same trace id, so an investigator can go from an audit record to
 * the request's trace and back.
 */
import { register } from 'node:module';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
const { startTelemetry } = await import('../../src/telemetry/otel.ts');
const exporter = new InMemorySpanExporter();
const telemetry = startTelemetry({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

const { startTestJarvis } = await import('../support/http-jarvis.ts');
const { decodeEnvelope } = await import('../../src/eventlog/envelope.ts');

type Started<T extends (...a: never[]) => Promise<unknown>> = Awaited<ReturnType<T>>;
let jarvis: Started<typeof startTestJarvis>;

before(async () => {
  // The projector runs in-process (JARVIS_PROJECTOR=inprocess, the default).
  jarvis = await startTestJarvis({ JARVIS_BRUTE_FORCE_THRESHOLD: '1000' });
});

after(async () => {
  await jarvis?.close();
  await telemetry.shutdown();
});

test('the SECURITY_EVENT derived from a refused request carries the request trace id', { timeout: 60_000 }, async (t) => {
  const res = await jarvis.fetch('/status', { key: 'unknown-key-0123456789abcdef', headers: { 'x-request-id': 'trace-audit-1' } });
  assert.equal(res.status, 401);
  await res.text();

  // the request's trace, as the tracing backend would show it
  await new Promise((r) => setTimeout(r, 100));
  const spans = exporter.getFinishedSpans();
  const server = spans.find((s) => s.kind === 1 && s.attributes['url.path'] === '/status');
  assert.ok(server, `server span among ${spans.map((s) => s.name).join(', ')}`);
  // The route template names the span once the app calls setRequestRoute (src/telemetry/tracing.ts).
  if (server.name !== 'GET /status') t.diagnostic(`pending wiring: server span named "${server.name}", not "GET /status"`);
  const traceId = server.spanContext().traceId;
  const inTrace = spans.filter((s) => s.spanContext().traceId === traceId).map((s) => s.name);
  assert.ok(inTrace.some((n) => n.startsWith('middleware - ')), `koa middleware spans in the trace: ${inTrace.join(', ')}`);

  // the audit record, as the security team would find it (by request id)
  const found = new Promise<{ trace_id: string | null; request_id: string | null; code: string }>((resolve) => {
    void jarvis.jarvis.log.subscribe({
      groupId: `telemetry-audit-${Date.now()}`,
      topics: ['jarvis.security'],
      fromBeginning: true,
      async onBatch(batch) {
        for (const r of batch.records) {
          const env = decodeEnvelope(r.value);
          const data = env.data as { trace_id: string | null; request_id: string | null; code: string };
          if (data.request_id === 'trace-audit-1') resolve(data);
        }
      },
    });
  });
  const record = await Promise.race([found, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no security event within 30 s')), 30_000))]);
  assert.equal(record.code, 'JRV-AUTH-001');
  assert.equal(record.trace_id, traceId, 'the audit record names the request trace');

  // and the projector's handling is a span of that same trace
  const deadline = Date.now() + 5000;
  let recorded = exporter.getFinishedSpans().find((s) => s.name === 'jarvis.security.event' && s.spanContext().traceId === traceId);
  while (!recorded && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    recorded = exporter.getFinishedSpans().find((s) => s.name === 'jarvis.security.event' && s.spanContext().traceId === traceId);
  }
  assert.ok(recorded, 'a jarvis.security.event span in the request trace');
  assert.equal(recorded.attributes['jarvis.security.code'], 'JRV-AUTH-001');
});
