// The two events Jarvis publishes for an authenticated GET /status, with the same data and one
// trace context per request made as Jarvis makes it, for the reference servers that publish them.
import { AuthDecisionRecorded, RequestCompleted } from '../../events/index.ts';
import type { EventMeta } from '../../src/eventlog/envelope.ts';
import { randomHex } from '../../src/shared/random-hex.ts';
import { STATUS_BODY } from './body.ts';

const ip = '127.0.0.1';
const principal = 'key_1';
const bytesOut = Buffer.byteLength(STATUS_BODY);

export function statusEvents(instance: string, requestId: string) {
  const meta: EventMeta = { key: ip, requestId, traceparent: `00-${randomHex(16)}-${randomHex(8)}-01`, actorId: principal };
  return {
    decision: () => ({
      def: AuthDecisionRecorded,
      data: { stage: 'authorization' as const, outcome: 'granted' as const, reason: 'ok' as const, method: 'api_key' as const, principal, session_id: null, permission: 'read' as const, ip, route: '/status', request_id: requestId, instance },
      meta,
    }),
    completed: (durationMs: number) => ({
      def: RequestCompleted,
      data: { method: 'GET', route: '/status', status: 200, duration_ms: durationMs, bytes_in: 0, bytes_out: bytesOut, ip, principal, tier: 'api' as const, error_code: null, request_id: requestId, instance },
      meta,
    }),
  };
}
