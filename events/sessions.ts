/** Topic `jarvis.sessions`: the life of a JWT session. Keyed by session id. */
import { z } from 'zod';
import { ActorIp, defineEvent, IsoTime, KeyId, Permission } from './define.ts';

export const SESSIONS_TOPIC = 'jarvis.sessions';

export const SessionStarted = defineEvent({
  type: 'jarvis.sessions.session_started.v1',
  topic: SESSIONS_TOPIC,
  description: 'A JWT was issued from an API key, opening a session.',
  data: z.object({
    session_id: z.string().max(64),
    principal: KeyId,
    scope: z.array(Permission),
    jti: z.string().max(64),
    ip: z.string().max(64),
    started_at: IsoTime,
    idle_timeout_seconds: z.number().int().positive(),
    absolute_expires_at: IsoTime,
  }),
});

export const SessionRefreshed = defineEvent({
  type: 'jarvis.sessions.session_refreshed.v1',
  topic: SESSIONS_TOPIC,
  description: 'A session was used; its idle timer restarts. Published at most once a minute per session.',
  data: z.object({ session_id: z.string().max(64), at: IsoTime }),
});

export const SessionRevoked = defineEvent({
  type: 'jarvis.sessions.session_revoked.v1',
  topic: SESSIONS_TOPIC,
  description: 'A session was ended by logout, by an admin, or because its key was revoked.',
  data: z.object({
    session_id: z.string().max(64),
    principal: KeyId,
    by: KeyId.nullable(),
    reason: z.enum(['logout', 'admin', 'key_revoked']),
    ip: ActorIp,
  }),
});

export const SessionExpired = defineEvent({
  type: 'jarvis.sessions.session_expired.v1',
  topic: SESSIONS_TOPIC,
  description: 'Cleanup found a session past its idle or absolute timeout.',
  data: z.object({
    session_id: z.string().max(64),
    principal: KeyId,
    timeout: z.enum(['idle', 'absolute']),
  }),
});
