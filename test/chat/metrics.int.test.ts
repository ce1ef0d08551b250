/** The fallback order and the breaker show in the provider metrics src/telemetry defines. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { metricsObserver } from '../../src/chat/observer.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { chatHarness } from '../support/chat-harness.ts';

it('counts calls, errors by kind, fallbacks and short-circuits, and exports the breaker state', { timeout: 20_000 }, async () => {
  const m = createMetrics({ exemplars: false, processMetrics: false, providers: ['anthropic', 'local'] });
  const h = await chatHarness({
    anthropic: { faults: ['overloaded', 'overloaded'] },
    local: {},
    env: { JARVIS_CHAT_PROVIDERS: 'anthropic,local', JARVIS_CHAT_BREAKER_FAILURES: '2' },
    observer: metricsObserver(m),
  });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await h.service.chat({ text: 'hi' }, h.ctx())).provider, 'local');
    const text = await m.registry.metrics();
    assert.match(text, /jarvis_provider_requests_total\{provider="anthropic",outcome="error"\} 2/);
    assert.match(text, /jarvis_provider_requests_total\{provider="anthropic",outcome="short_circuited"\} 1/);
    assert.match(text, /jarvis_provider_requests_total\{provider="local",outcome="success"\} 3/);
    assert.match(text, /jarvis_provider_errors_total\{provider="anthropic",kind="server"\} 2/);
    assert.match(text, /jarvis_provider_fallbacks_total\{from="anthropic",to="local"\} 3/);
    assert.match(text, /jarvis_provider_breaker_state\{provider="anthropic"\} 2/);
    assert.match(text, /jarvis_provider_request_duration_seconds_count\{provider="local"\} 3/);
  } finally {
    await h.close();
  }
});
