/**
 * What authentication needs to know about keys and sessions. The projections provide these
 * views (kept current from the event log); tests can pass plain objects.
 */
import type { Permission } from '../../events/define.ts';

/** A managed key as the key-registry projection knows it. */
export interface ManagedKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly permissions: readonly Permission[];
  readonly secretSha256: string;
  /** Epoch ms, or null for no expiry. Rotation sets it to the end of the overlap. */
  readonly expiresAt: number | null;
  readonly revoked: boolean;
}

export interface KeyDirectory {
  get(id: string): ManagedKeyRecord | undefined;
}

export type SessionState = 'active' | 'revoked' | 'expired' | 'unknown';

export interface SessionDirectory {
  state(sessionId: string, nowMs: number): SessionState;
}
