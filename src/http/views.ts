/**
 * What the HTTP layer reads from the projections. The projection runner keeps these current
 * from the event log; `src/main.ts` adapts the projections to them.
 */
import type { Permission } from '../../events/define.ts';
import type { KeyDirectory, ManagedKeyRecord, SessionDirectory } from '../auth/directory.ts';
import type { BlockList } from './middleware/client-ip.ts';

export interface KeyView extends KeyDirectory {
  list(): readonly (ManagedKeyRecord & { createdAt: number; rotatedTo: string | null })[];
}

export interface SessionRecord {
  readonly id: string;
  readonly principal: string;
  readonly scope: readonly Permission[];
  readonly ip: string;
  readonly startedAt: number;
  readonly lastSeenAt: number;
  readonly absoluteExpiresAt: number;
  readonly idleTimeoutMs: number;
  readonly state: 'active' | 'revoked' | 'expired';
}

export interface SessionView extends SessionDirectory {
  get(id: string): SessionRecord | undefined;
  list(nowMs: number): readonly SessionRecord[];
}

export interface BlockRecord {
  readonly id: string;
  readonly cidr: string;
  readonly expiresAt: number | null;
  readonly reason: string | null;
  readonly source: 'admin' | 'auto';
  readonly createdAt: number;
}

export interface BlockView extends BlockList {
  get(id: string): BlockRecord | undefined;
  list(nowMs: number): readonly BlockRecord[];
}

/** Health of the parts /ready reports on. */
export interface Readiness {
  check(): { ok: boolean; parts: Record<string, { ok: boolean; detail: string }> };
}
