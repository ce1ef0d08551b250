/** Topic `jarvis.http`: one event per finished request, and rate-limit verdicts. Keyed by client IP. */
import { z } from 'zod';
import { defineEvent, Ip, KeyId, RequestId } from './define.ts';

export const HTTP_TOPIC = 'jarvis.http';

export const RateTier = z.enum(['api', 'stream']);

export const RequestCompleted = defineEvent({
  type: 'jarvis.http.request_completed.v1',
  topic: HTTP_TOPIC,
  description: 'A request was answered (any status). Counts toward the rate-limit windows unless it was itself refused by the limiter.',
  data: z.object({
    method: z.string().max(16),
    route: z.string().max(128).describe('route template, never the raw path'),
    status: z.number().int(),
    duration_ms: z.number().nonnegative(),
    bytes_in: z.number().int().nonnegative(),
    bytes_out: z.number().int().nonnegative(),
    ip: Ip,
    principal: KeyId.nullable(),
    tier: RateTier.nullable().describe('null for routes that are not limited'),
    error_code: z.string().max(64).nullable(),
    request_id: RequestId,
    instance: z.string().max(64),
  }),
});

export const RateLimitExceeded = defineEvent({
  type: 'jarvis.http.rate_limit_exceeded.v1',
  topic: HTTP_TOPIC,
  description: 'A request was refused with 429 because a sliding window was used up.',
  data: z.object({
    tier: RateTier,
    scope: z.enum(['ip', 'principal']),
    ip: Ip,
    principal: KeyId.nullable(),
    limit: z.number().int().positive(),
    window_seconds: z.number().positive(),
    retry_after_seconds: z.number().nonnegative(),
    request_id: RequestId,
  }),
});

export const RateLimitDegraded = defineEvent({
  type: 'jarvis.http.rate_limit_degraded.v1',
  topic: HTTP_TOPIC,
  description: 'An instance lost the shared log and now enforces only its local share of each limit (or recovered).',
  data: z.object({
    instance: z.string().max(64),
    state: z.enum(['degraded', 'recovered']),
    local_share: z.number().positive().max(1),
  }),
});

export const InputRejected = defineEvent({
  type: 'jarvis.http.input_rejected.v1',
  topic: HTTP_TOPIC,
  description: 'A request was refused for its shape: oversized, wrong content type, invalid body, untrusted host or blocked IP.',
  data: z.object({
    reason: z.enum(['body_too_large', 'unsupported_media_type', 'validation_failed', 'malformed_json', 'untrusted_host', 'ip_not_allowed', 'ip_blocked', 'method_not_allowed']),
    ip: Ip,
    principal: KeyId.nullable(),
    route: z.string().max(128),
    status: z.number().int(),
    request_id: RequestId,
    detail: z.string().max(256).nullable(),
  }),
});

export const AuditRead = defineEvent({
  type: 'jarvis.http.audit_read.v1',
  topic: HTTP_TOPIC,
  description: 'Someone read the audit log (query, export, live tail, stats, verify, hmac). The projector turns it into the chained JRV-AUDIT-001 security record; identifying filter values arrive pseudonymized.',
  data: z.object({
    action: z.enum(['query', 'export', 'live', 'stats', 'verify', 'hmac']),
    ip: Ip,
    principal: KeyId.nullable(),
    request_id: RequestId,
    details: z.record(z.string().max(64), z.union([z.string().max(128), z.number(), z.boolean(), z.null()])).describe('the filters used (filter_<name>) and result counts'),
  }),
});
