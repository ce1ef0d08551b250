/** The body the baselines serve: the same shape and size as Jarvis's GET /status (test/http/bench-body.unit.test.ts checks). */
export const STATUS_BODY = JSON.stringify({
  version: '0.1.0',
  status: 'healthy',
  uptime: 12.3,
  ai_providers: { local: true, anthropic: false, deepseek: false },
  providers: [
    { name: 'local', configured: true, available: true, breaker: 'closed', model: 'llama3.2' },
    { name: 'anthropic', configured: false, available: false, breaker: 'closed', model: null },
    { name: 'deepseek', configured: false, available: false, breaker: 'closed', model: null },
  ],
  tts_engine: 'embedded',
  tts_voice: 'en-us',
  event_log: { kind: 'embedded', ok: true, outbox_depth: 0, delivered: 1234, projection_lag_events: 0 },
});
