/** Read-side helpers over SessionsState; `nowMs` comes from the caller's injected clock. */
import type { SessionRecord, SessionsState } from './index.ts';

export type SessionStatus = 'active' | 'revoked' | 'expired' | 'unknown';

/** Which timeout a live-looking session has passed at `nowMs`, if any (absolute wins). */
export function timedOut(r: SessionRecord, nowMs: number): 'idle' | 'absolute' | null {
  if (nowMs >= r.absolute_expires_ms) return 'absolute';
  if (nowMs >= r.last_seen_ms + r.idle_timeout_ms) return 'idle';
  return null;
}

/** The status the API enforces: a session past a timeout is expired even before cleanup ran. */
export function sessionStatus(state: SessionsState, sessionId: string, nowMs: number): SessionStatus {
  const r = state.sessions.get(sessionId);
  if (!r) return 'unknown';
  if (r.status !== 'active') return r.status;
  return timedOut(r, nowMs) === null ? 'active' : 'expired';
}

/** True when the session exists, was not ended, and has passed neither timeout. */
export function isActive(state: SessionsState, sessionId: string, nowMs: number): boolean {
  return sessionStatus(state, sessionId, nowMs) === 'active';
}

export function getSession(state: SessionsState, sessionId: string): SessionRecord | undefined {
  return state.sessions.get(sessionId);
}

export interface ListSessionsOptions {
  readonly principal?: string;
  /** Only sessions active at this time. */
  readonly activeAt?: number;
}

/** Sessions, newest first (ties by id), optionally filtered. */
export function listSessions(state: SessionsState, opts: ListSessionsOptions = {}): SessionRecord[] {
  const out: SessionRecord[] = [];
  for (const r of state.sessions.values()) {
    if (opts.principal !== undefined && r.principal !== opts.principal) continue;
    if (opts.activeAt !== undefined && (r.status !== 'active' || timedOut(r, opts.activeAt) !== null)) continue;
    out.push(r);
  }
  return out.sort((a, b) => b.started_ms - a.started_ms || (a.session_id < b.session_id ? -1 : 1));
}

/** A session cleanup should end, with the SessionExpired data to publish for it. */
export interface ExpiredSession {
  readonly session_id: string;
  readonly principal: string;
  readonly timeout: 'idle' | 'absolute';
}

/** Sessions still marked active but past a timeout at `nowMs`, sorted by id. Pure. */
export function findExpired(state: SessionsState, nowMs: number): ExpiredSession[] {
  const out: ExpiredSession[] = [];
  for (const r of state.sessions.values()) {
    if (r.status !== 'active') continue;
    const timeout = timedOut(r, nowMs);
    if (timeout) out.push({ session_id: r.session_id, principal: r.principal, timeout });
  }
  return out.sort((a, b) => (a.session_id < b.session_id ? -1 : 1));
}
