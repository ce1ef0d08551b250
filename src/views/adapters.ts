/**
 * Adapters from the projections' states to the views the HTTP layer reads. Each takes a getter
 * so it always sees the runner's current state object.
 */
import { CidrSet } from '../network/cidr.ts';
import { activeBlocks, getBlock, type IpBlock, type IpBlocksState } from '../projections/ipblocks/index.ts';
import { getKey, type KeyRecord, type KeysState } from '../projections/keys/index.ts';
import { countInWindow, type Exclude, type RateCountersState } from '../projections/ratelimit/index.ts';
import { getSession, listSessions, sessionStatus, type SessionRecord as ProjectedSession, type SessionsState } from '../projections/sessions/index.ts';
import type { ManagedKeyRecord } from '../auth/directory.ts';
import type { RemoteCounts } from '../ratelimit/limiter.ts';
import type { BlockRecord, BlockView, KeyView, SessionRecord, SessionView } from '../http/views.ts';

function toManaged(k: KeyRecord): ManagedKeyRecord & { createdAt: number; rotatedTo: string | null } {
  return {
    id: k.id,
    name: k.name,
    permissions: k.permissions,
    secretSha256: k.secret_sha256,
    expiresAt: k.valid_until_ms,
    revoked: k.revoked,
    createdAt: Date.parse(k.created_at),
    rotatedTo: k.rotated_to,
  };
}

export function keyView(state: () => KeysState): KeyView {
  return {
    get(id) {
      const k = getKey(state(), id);
      return k ? toManaged(k) : undefined;
    },
    list: () => [...state().keys.values()].map(toManaged).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)),
  };
}

function toSession(r: ProjectedSession, nowMs: number): SessionRecord {
  const timedOut = r.status === 'active' && (nowMs >= r.absolute_expires_ms || nowMs >= r.last_seen_ms + r.idle_timeout_ms);
  return {
    id: r.session_id,
    principal: r.principal,
    scope: r.scope,
    ip: r.ip,
    startedAt: r.started_ms,
    lastSeenAt: r.last_seen_ms,
    absoluteExpiresAt: r.absolute_expires_ms,
    idleTimeoutMs: r.idle_timeout_ms,
    state: timedOut ? 'expired' : r.status,
  };
}

export function sessionView(state: () => SessionsState, now: () => number): SessionView {
  return {
    state: (id, nowMs) => sessionStatus(state(), id, nowMs),
    get(id) {
      const r = getSession(state(), id);
      return r ? toSession(r, now()) : undefined;
    },
    list: (nowMs) => listSessions(state()).map((r) => toSession(r, nowMs)),
  };
}

function toBlock(b: IpBlock): BlockRecord {
  return { id: b.block_id, cidr: b.cidr, expiresAt: b.expires_ms, reason: b.reason, source: b.source, createdAt: Date.parse(b.created_at) };
}

/** Compiles the active blocks into one CidrSet, recompiled when the set of blocks changes. */
export function blockView(state: () => IpBlocksState): BlockView {
  let signature = '';
  let compiled = new CidrSet([]);
  let checkedAt = -Infinity;
  return {
    isBlocked(ip, nowMs) {
      const s = state();
      if (s.blocks.size === 0) return false;
      if (nowMs - checkedAt > 250) {
        checkedAt = nowMs;
        const live = activeBlocks(s, nowMs);
        const sig = live.map((b) => b.block_id).join(',');
        if (sig !== signature) {
          signature = sig;
          compiled = new CidrSet(live.map((b) => b.cidr));
        }
      }
      return compiled.has(ip);
    },
    get(id) {
      const b = getBlock(state(), id);
      return b ? toBlock(b) : undefined;
    },
    list: (nowMs) => activeBlocks(state(), nowMs).map(toBlock),
  };
}

/** Other instances' admissions, from the projected counters (this instance's are excluded). */
/** Admissions counted by instances other than this one (`own`: its id, or which ids are its workers). */
export function remoteCounts(state: () => RateCountersState, own: Exclude): RemoteCounts {
  return {
    count: (tier, scope, id, nowMs, windowMs) => {
      const s = state();
      return s.series.size === 0 ? 0 : countInWindow(s, tier, scope, id, nowMs, windowMs, own);
    },
  };
}
