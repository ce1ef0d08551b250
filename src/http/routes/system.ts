/** /health, /ready and /status. */
import { z } from 'zod';
import { problemType } from '../errors.ts';
import type { RouteSpec } from '../state.ts';
import type { RouteDeps } from './deps.ts';

const HEALTH_BODY = JSON.stringify({ status: 'ok' });

export const StatusResponse = z.object({
  version: z.string(),
  status: z.enum(['healthy', 'degraded']),
  uptime: z.number(),
  ai_providers: z.record(z.string(), z.boolean()),
  providers: z.array(z.object({ name: z.string(), configured: z.boolean(), available: z.boolean(), breaker: z.enum(['closed', 'open', 'half_open']), model: z.string().nullable() })).describe('the fallback order, with each circuit breaker'),
  tts_engine: z.string(),
  tts_voice: z.string(),
  event_log: z.record(z.string(), z.unknown()),
});

export function systemRoutes(deps: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/health',
      access: 'public',
      tier: null,
      summary: 'Liveness: 200 {"status":"ok"} and nothing more.',
      responses: { '200': { description: 'The process is alive.', schema: z.object({ status: z.literal('ok') }) } },
      handler(ctx) {
        ctx.type = 'application/json';
        ctx.body = HEALTH_BODY;
      },
    },
    {
      method: 'GET',
      path: '/ready',
      access: 'public',
      tier: null,
      summary: 'Readiness: 200 when the event log and projections are usable, else 503 naming the part that is not.',
      responses: {
        '200': { description: 'Ready.', schema: z.object({ status: z.literal('ready'), parts: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string() })) }) },
        '503': { description: 'Not ready: a problem+json whose `parts` says which part is not.', contentType: 'application/problem+json' },
      },
      handler(ctx) {
        const r = deps.readiness.check();
        if (r.ok) {
          ctx.body = { status: 'ready', parts: r.parts };
          return;
        }
        // Not ready is an error answer like any other: problem+json, with the parts as an extension.
        const down = Object.entries(r.parts).filter(([, p]) => !p.ok).map(([name]) => name);
        ctx.status = 503;
        ctx.set('Retry-After', '5');
        ctx.type = 'application/problem+json';
        ctx.body = JSON.stringify({ type: problemType('ERR_NOT_READY'), title: 'Not ready', status: 503, detail: `Not ready: ${down.join(', ')}.`, request_id: ctx.state.requestId, parts: r.parts });
      },
    },
    {
      method: 'GET',
      path: '/status',
      access: 'read',
      tier: 'api',
      summary: 'Version, uptime, AI providers, TTS engine and the event log.',
      responses: { '200': { description: 'Service status.', schema: StatusResponse } },
      async handler(ctx) {
        const aiProviders = await deps.status.aiProviders();
        const eventLog = deps.status.eventLog();
        const ready = deps.readiness.check().ok;
        ctx.body = {
          version: deps.config.version,
          status: ready ? 'healthy' : 'degraded',
          uptime: Math.round((deps.clock.now() - deps.startedAt) / 100) / 10,
          ai_providers: aiProviders,
          providers: deps.status.providerDetails(),
          tts_engine: deps.status.ttsEngine(),
          tts_voice: deps.status.ttsVoice(),
          event_log: eventLog,
        };
      },
    },
  ];
}
