/** Security records for audit tests, built the way the projector's derivation builds them. */
import type { SecurityEventType } from '../../events/index.ts';
import { securityRecord } from '../../src/projections/security/records.ts';
import type { AppliedEvent } from '../../src/projections/types.ts';

export interface RecordSpec {
  readonly kind?: SecurityEventType;
  readonly cause?: string;
  readonly timeMs: number;
  readonly ip?: string | null;
  readonly principal?: string | null;
  readonly requestId?: string;
  readonly traceId?: string;
  readonly outcome?: 'denied' | 'granted' | 'blocked' | 'detected' | 'changed';
  readonly reason?: string;
  readonly details?: Record<string, string | number | boolean | null>;
}

let n = 0;

/** An AppliedEvent carrying one security record, at `partition`/`offset`. */
export function applied(s: RecordSpec, partition = 0, offset = String(n)): AppliedEvent {
  n++;
  const cause = {
    id: s.cause ?? `cause-${n}-${s.timeMs}`,
    time: new Date(s.timeMs).toISOString(),
    ...(s.traceId && { traceparent: `00-${s.traceId}-0123456789abcdef-01` }),
  };
  const d = securityRecord('/test', s.kind ?? 'jarvis.security.auth_failed.v1', cause, {
    ip: s.ip === undefined ? '203.0.113.7' : s.ip,
    principal: s.principal ?? null,
    request_id: s.requestId ?? `req-${n}`,
    outcome: s.outcome ?? 'denied',
    reason: s.reason ?? 'unknown_key',
    details: s.details ?? { stage: 'authentication', method: 'api_key', route: '/chat' },
  });
  return { envelope: d.envelope, topic: 'jarvis.security', partition, offset, timestamp: s.timeMs };
}
