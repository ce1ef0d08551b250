/**
 * Read-your-writes on the instance that accepted an admin action or a logout: the change is
 * applied here at once, over the projected views, until the projection has caught up (it
 * then agrees, and the overlay entry is dropped after `ttlMs`). Other instances learn it
 * from the log.
 */
import type { ManagedKeyRecord } from '../auth/directory.ts';
import { CidrSet } from '../network/cidr.ts';
import type { BlockRecord, BlockView, KeyView, SessionView } from './views.ts';

export interface LocalEffects {
  readonly keys: KeyView;
  readonly sessions: SessionView;
  readonly blocks: BlockView;
  keyCreated(rec: ManagedKeyRecord & { createdAt: number }): void;
  keyRevoked(id: string): void;
  sessionRevoked(id: string): void;
  blockAdded(rec: BlockRecord): void;
  blockRemoved(id: string): void;
}

export function createLocalEffects(base: { keys: KeyView; sessions: SessionView; blocks: BlockView }, now: () => number, ttlMs = 120_000): LocalEffects {
  const createdKeys = new Map<string, { rec: ManagedKeyRecord & { createdAt: number }; at: number }>();
  const revokedKeys = new Map<string, number>();
  const revokedSessions = new Map<string, number>();
  const addedBlocks = new Map<string, { rec: BlockRecord; at: number; set: CidrSet }>();
  const removedBlocks = new Map<string, number>();

  function prune(): void {
    const cutoff = now() - ttlMs;
    for (const m of [revokedKeys, revokedSessions, removedBlocks]) for (const [k, at] of m) if (at < cutoff) m.delete(k);
    for (const [k, v] of createdKeys) if (v.at < cutoff) createdKeys.delete(k);
    for (const [k, v] of addedBlocks) if (v.at < cutoff) addedBlocks.delete(k);
  }
  const timer = setInterval(prune, Math.min(ttlMs, 30_000));
  timer.unref();

  const keys: KeyView = {
    get(id) {
      const rec = base.keys.get(id) ?? createdKeys.get(id)?.rec;
      if (rec && revokedKeys.has(id)) return { ...rec, revoked: true };
      return rec;
    },
    list() {
      const seen = new Set<string>();
      const out = base.keys.list().map((k) => { seen.add(k.id); return revokedKeys.has(k.id) ? { ...k, revoked: true } : k; });
      for (const [id, { rec }] of createdKeys) if (!seen.has(id)) out.push({ ...rec, revoked: revokedKeys.has(id), rotatedTo: null });
      return out;
    },
  };

  const sessions: SessionView = {
    state(id, nowMs) {
      return revokedSessions.has(id) ? 'revoked' : base.sessions.state(id, nowMs);
    },
    get(id) {
      const rec = base.sessions.get(id);
      return rec && revokedSessions.has(id) ? { ...rec, state: 'revoked' } : rec;
    },
    list(nowMs) {
      return base.sessions.list(nowMs).map((s) => (revokedSessions.has(s.id) ? { ...s, state: 'revoked' as const } : s));
    },
  };

  const blocks: BlockView = {
    isBlocked(ip, nowMs) {
      for (const b of addedBlocks.values()) {
        if (!removedBlocks.has(b.rec.id) && (b.rec.expiresAt === null || b.rec.expiresAt > nowMs) && b.set.has(ip)) return true;
      }
      if (removedBlocks.size === 0) return base.blocks.isBlocked(ip, nowMs);
      // A block removed here may still be projected: check what remains without it.
      const remaining = base.blocks.list(nowMs).filter((b) => !removedBlocks.has(b.id));
      return remaining.length > 0 && new CidrSet(remaining.map((b) => b.cidr)).has(ip);
    },
    get(id) {
      if (removedBlocks.has(id)) return undefined;
      return base.blocks.get(id) ?? addedBlocks.get(id)?.rec;
    },
    list(nowMs) {
      const out = base.blocks.list(nowMs).filter((b) => !removedBlocks.has(b.id));
      const seen = new Set(out.map((b) => b.id));
      for (const { rec } of addedBlocks.values()) {
        if (!seen.has(rec.id) && !removedBlocks.has(rec.id) && (rec.expiresAt === null || rec.expiresAt > nowMs)) out.push(rec);
      }
      return out;
    },
  };

  return {
    keys,
    sessions,
    blocks,
    keyCreated: (rec) => createdKeys.set(rec.id, { rec, at: now() }),
    keyRevoked: (id) => revokedKeys.set(id, now()),
    sessionRevoked: (id) => revokedSessions.set(id, now()),
    blockAdded: (rec) => addedBlocks.set(rec.id, { rec, at: now(), set: new CidrSet([rec.cidr]) }),
    blockRemoved: (id) => removedBlocks.set(id, now()),
  };
}
