/**
 * A chat turn is one span with a child per provider attempt (failed ones marked ERROR with our
 * reason), the SDKs' HTTP calls below them, and no prompt or answer text in any attribute.
 * The SDK is started as src/telemetry/preload.ts does, with an in-memory exporter.
 */
import { register } from 'node:module';
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
const { startTelemetry } = await import('../../src/telemetry/otel.ts');
const exporter = new InMemorySpanExporter();
const telemetry = startTelemetry({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const { chatHarness, collect } = await import('../support/chat-harness.ts');
const { SPAN, ATTR } = await import('../../src/telemetry/names.ts');

after(() => telemetry.shutdown());

const PROMPT = 'my secret prompt 8841';
const REPLY = 'a secret answer 7719.';

for (const mode of ['chat', 'stream'] as const) {
  it(`${mode}: one turn span, one child per attempt, reasons on failures, no text anywhere`, { timeout: 20_000 }, async () => {
    exporter.reset();
    const h = await chatHarness({ anthropic: { faults: ['overloaded'], reply: REPLY }, local: { reply: REPLY }, env: { JARVIS_CHAT_PROVIDERS: 'anthropic,local' } });
    try {
      if (mode === 'chat') await h.service.chat({ text: PROMPT }, h.ctx());
      else await collect(h.service.stream({ text: PROMPT }, h.ctx()));
    } finally {
      await h.close();
    }
    const spans = exporter.getFinishedSpans();
    const turn = spans.find((s) => s.name === SPAN.chat)!;
    assert.ok(turn, `spans: ${spans.map((s) => s.name).join(', ')}`);
    assert.equal(turn.attributes[ATTR.provider], 'local');
    assert.equal(turn.attributes[ATTR.fallbackFrom], 'anthropic');
    assert.equal(turn.attributes[ATTR.promptChars], PROMPT.length);
    const attempts = spans.filter((s) => s.name === SPAN.providerCall);
    assert.deepEqual(attempts.map((s) => [s.attributes[ATTR.provider], s.status.code, s.status.message ?? '']), [
      ['anthropic', 2, 'overloaded'],
      ['local', 0, ''],
    ]);
    for (const a of attempts) assert.equal(a.parentSpanContext?.spanId, turn.spanContext().spanId);
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const under = (s: (typeof spans)[number], ancestor: (typeof spans)[number]): boolean => {
      for (let p = s.parentSpanContext?.spanId; p; p = byId.get(p)?.parentSpanContext?.spanId) if (p === ancestor.spanContext().spanId) return true;
      return false;
    };
    for (const a of attempts) {
      const http = spans.filter((s) => s.attributes['http.request.method'] === 'POST' && under(s, a));
      assert.ok(http.length >= 1, `the upstream HTTP call hangs under the ${String(a.attributes[ATTR.provider])} attempt`);
    }
    const everything = JSON.stringify(spans.map((s) => ({ a: s.attributes, e: s.events, n: s.name, st: s.status })));
    assert.ok(!everything.includes('8841') && !everything.includes('7719'), 'no prompt or answer text in spans');
  });
}
