/**
 * The projector's timer work, decided by pure functions and published as events:
 * - sessions past their idle or absolute timeout → SessionExpired (the sessions projection
 *   then ends them everywhere);
 * - keys entering their warning period or reaching their expiry → key_expiring / key_expired.
 * Ids are deterministic, so two ticks (or two projectors) publishing the same thing are
 * deduplicated downstream; a short memory of what was just published avoids re-sending
 * it on every tick while the log catches up.
 */
import { SessionExpired, SESSIONS_TOPIC, type Envelope } from '../../events/index.ts';
import { derivedId } from '../projections/security/ids.ts';
import { findExpired, type SessionsState } from '../projections/sessions/index.ts';
import type { DerivedEvent } from '../projections/types.ts';

/** SessionExpired events for the sessions past a timeout at `nowMs`. Pure. */
export function sessionExpiryEvents(state: SessionsState, nowMs: number, source: string): DerivedEvent[] {
  return findExpired(state, nowMs).map((s) => {
    const envelope: Envelope = {
      specversion: '1.0',
      id: derivedId(`session:${s.session_id}`, SessionExpired.type),
      source,
      type: SessionExpired.type,
      time: new Date(nowMs).toISOString(),
      subject: s.session_id,
      datacontenttype: 'application/json',
      data: { session_id: s.session_id, principal: s.principal, timeout: s.timeout },
    };
    return { topic: SESSIONS_TOPIC, key: s.session_id, envelope };
  });
}

/** Remembers what was published recently so a tick does not send it again before it is applied. */
export class RecentlyPublished {
  private readonly at = new Map<string, number>();

  constructor(private readonly holdMs = 120_000) {}

  /** The events not published within `holdMs`, marking them published at `nowMs`. */
  fresh(events: readonly DerivedEvent[], nowMs: number): DerivedEvent[] {
    for (const [id, t] of this.at) if (nowMs - t > this.holdMs) this.at.delete(id);
    const out = events.filter((e) => !this.at.has(e.envelope.id));
    for (const e of out) this.at.set(e.envelope.id, nowMs);
    return out;
  }

  forget(events: readonly DerivedEvent[]): void {
    for (const e of events) this.at.delete(e.envelope.id);
  }
}
