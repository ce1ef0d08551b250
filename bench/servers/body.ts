/** The body the baselines serve: the same size and shape as Jarvis's GET /status. */
export const STATUS_BODY = JSON.stringify({
  version: '0.1.0',
  status: 'healthy',
  uptime: 12.3,
  ai_providers: { local: true, anthropic: false, deepseek: false },
  tts_engine: 'embedded',
  tts_voice: 'en-us',
  event_log: { kind: 'embedded', ok: true, outbox_depth: 0, delivered: 1234, projection_lag_events: 0 },
});
