/**
 * Session state from `jarvis.sessions`: started, refreshed, revoked, expired. Idle and absolute
 * timeouts travel in SessionStarted, so every instance judges a session by the same numbers.
 * Ended sessions are remembered until their absolute expiry (+1 h) so a revoked session's
 * JWT stays refused everywhere; after that no JWT of theirs can be valid anyway.
 */
import { SessionExpired, SessionRefreshed, SessionRevoked, SessionStarted, SESSIONS_TOPIC, type Envelope, type Permission } from '../../../events/index.ts';
import { ms, sortedEntries, type EventOf } from '../events.ts';
import type { Projection } from '../types.ts';

export type SessionEndReason = 'logout' | 'admin' | 'key_revoked' | 'idle' | 'absolute';

/** One session as the API enforces it. Records are replaced, never changed, so a reader may keep one. */
export interface SessionRecord {
  readonly session_id: string;
  readonly principal: string;
  readonly scope: readonly Permission[];
  readonly ip: string;
  readonly started_ms: number;
  readonly last_seen_ms: number;
  readonly idle_timeout_ms: number;
  readonly absolute_expires_ms: number;
  readonly status: 'active' | 'revoked' | 'expired';
  readonly ended_ms: number | null;
  readonly end_reason: SessionEndReason | null;
  readonly ended_by: string | null;
}

export interface SessionsState {
  readonly sessions: Map<string, SessionRecord>;
  /** The newest event time seen: the projection's notion of "now" for pruning. */
  clockMs: number;
  nextPruneMs: number;
}

/** How long an ended session is remembered after its absolute expiry. */
export const ENDED_GRACE_MS = 3_600_000;
/** A revocation for a session this projection never saw is kept this long (the longest JWT). */
const TOMBSTONE_MS = 86_400_000;
const PRUNE_EVERY_MS = 60_000;

type SessionEvent = EventOf<typeof SessionStarted> | EventOf<typeof SessionRefreshed> | EventOf<typeof SessionRevoked> | EventOf<typeof SessionExpired>;

export function initialState(): SessionsState {
  return { sessions: new Map(), clockMs: 0, nextPruneMs: 0 };
}

function keep(r: SessionRecord, clockMs: number): boolean {
  return r.status === 'active' || r.absolute_expires_ms + ENDED_GRACE_MS > clockMs;
}

function end(r: SessionRecord, status: 'revoked' | 'expired', at: number, reason: SessionEndReason, by: string | null): SessionRecord {
  return { ...r, status, ended_ms: at, end_reason: reason, ended_by: by };
}

export function evolve(state: SessionsState, event: Envelope): SessionsState {
  const e = event as SessionEvent;
  const t = ms(e.time);
  const sessions = state.sessions;
  switch (e.type) {
    case SessionStarted.type: {
      const d = e.data;
      const prior = sessions.get(d.session_id);
      if (prior && prior.status !== 'active') break; // an end is final
      const started = ms(d.started_at);
      sessions.set(d.session_id, {
        session_id: d.session_id, principal: d.principal, scope: d.scope, ip: d.ip,
        started_ms: started, last_seen_ms: started, idle_timeout_ms: d.idle_timeout_seconds * 1000,
        absolute_expires_ms: ms(d.absolute_expires_at), status: 'active', ended_ms: null, end_reason: null, ended_by: null,
      });
      break;
    }
    case SessionRefreshed.type: {
      const r = sessions.get(e.data.session_id);
      const at = ms(e.data.at);
      if (r && r.status === 'active' && at > r.last_seen_ms) sessions.set(r.session_id, { ...r, last_seen_ms: at });
      break;
    }
    case SessionRevoked.type: {
      const d = e.data;
      const r = sessions.get(d.session_id);
      if (r && r.status !== 'active') break;
      const base: SessionRecord = r ?? {
        session_id: d.session_id, principal: d.principal, scope: [], ip: '', started_ms: t, last_seen_ms: t,
        idle_timeout_ms: 0, absolute_expires_ms: t + TOMBSTONE_MS, status: 'active', ended_ms: null, end_reason: null, ended_by: null,
      };
      sessions.set(d.session_id, end(base, 'revoked', t, d.reason, d.by));
      break;
    }
    case SessionExpired.type: {
      const r = sessions.get(e.data.session_id);
      if (r && r.status === 'active') sessions.set(r.session_id, end(r, 'expired', t, e.data.timeout, null));
      break;
    }
    default:
      return state;
  }
  if (t > state.clockMs) state.clockMs = t;
  if (state.clockMs >= state.nextPruneMs) {
    for (const [id, r] of sessions) if (!keep(r, state.clockMs)) sessions.delete(id);
    state.nextPruneMs = state.clockMs + PRUNE_EVERY_MS;
  }
  return state;
}

interface SessionsJson {
  clockMs: number;
  sessions: SessionRecord[];
}

/** Canonical JSON: pruned at the state's clock and sorted by id. */
export function toJSON(state: SessionsState): SessionsJson {
  return { clockMs: state.clockMs, sessions: sortedEntries(state.sessions).filter(([, r]) => keep(r, state.clockMs)).map(([, r]) => r) };
}

export function fromJSON(json: unknown): SessionsState {
  const j = json as SessionsJson;
  return { sessions: new Map(j.sessions.map((r) => [r.session_id, r])), clockMs: j.clockMs, nextPruneMs: j.clockMs + PRUNE_EVERY_MS };
}

/** The sessions projection, for the runner. */
export const sessionsProjection: Projection<SessionsState> = {
  name: 'sessions',
  topics: [SESSIONS_TOPIC],
  initialState,
  evolve,
  toJSON,
  fromJSON,
};

export * from './queries.ts';
