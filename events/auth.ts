/** Topic `jarvis.auth`: every authentication and authorization decision. Keyed by client IP. */
import { z } from 'zod';
import { defineEvent, Ip, KeyId, Permission, RequestId } from './define.ts';

export const AUTH_TOPIC = 'jarvis.auth';

/** Why a credential was refused or a permission denied; stable strings clients never see raw. */
export const AuthReason = z.enum([
  'ok',
  'missing_credential',
  'malformed_credential',
  'unknown_key',
  'revoked_key',
  'expired_key',
  'invalid_token',
  'expired_token',
  'token_not_yet_valid',
  'session_revoked',
  'session_expired',
  'permission_denied',
  'jwt_not_allowed',
]);

export const AuthDecisionRecorded = defineEvent({
  type: 'jarvis.auth.decision_recorded.v1',
  topic: AUTH_TOPIC,
  description: 'An authentication or authorization decision was made for a request.',
  data: z.object({
    stage: z.enum(['authentication', 'authorization']),
    outcome: z.enum(['granted', 'denied']),
    reason: AuthReason,
    method: z.enum(['api_key', 'jwt', 'none']),
    principal: KeyId.nullable(),
    session_id: z.string().max(64).nullable(),
    permission: Permission.nullable(),
    ip: Ip,
    route: z.string().max(128),
    request_id: RequestId,
    instance: z.string().max(64).optional().describe('the instance that decided (as on RequestCompleted); absent on events written before it existed'),
  }),
});
