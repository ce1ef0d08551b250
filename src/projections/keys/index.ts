/**
 * The managed key registry from `jarvis.admin`: created, revoked, rotated. Only the SHA-256 of a
 * key's secret is known here; the API hashes a presented key and looks it up by that hash.
 * Keys from the environment (JARVIS_API_KEY_N, JARVIS_ADMIN_KEY) are not events and not here.
 */
import { ADMIN_TOPIC, ApiKeyCreated, ApiKeyRevoked, ApiKeyRotated, type Envelope, type Permission } from '../../../events/index.ts';
import { ms, msOrNull, sortedEntries, type EventOf } from '../events.ts';
import type { Projection } from '../types.ts';

/** One managed key. Replaced on change, never mutated. */
export interface KeyRecord {
  readonly id: string;
  readonly name: string;
  readonly permissions: readonly Permission[];
  /** Hash of the secret; never show it in a listing either. */
  readonly secret_sha256: string;
  readonly created_at: string;
  /** The expiry the key was created with (ISO), or null. */
  readonly expires_at: string | null;
  readonly created_by: string | null;
  readonly rotated_from: string | null;
  readonly revoked: boolean;
  readonly revoked_at: string | null;
  readonly revoked_by: string | null;
  readonly revoke_reason: string | null;
  /** Set when rotated: the successor, and until when this key still works. */
  readonly rotated_to: string | null;
  readonly overlap_until: string | null;
  /** Effective end of validity in ms: the earlier of expiry and rotation overlap; null = never. */
  readonly valid_until_ms: number | null;
}

export interface KeysState {
  readonly keys: Map<string, KeyRecord>;
  /** secret_sha256 → key id. */
  readonly byHash: Map<string, string>;
}

type KeyEvent = EventOf<typeof ApiKeyCreated> | EventOf<typeof ApiKeyRevoked> | EventOf<typeof ApiKeyRotated>;

export function initialState(): KeysState {
  return { keys: new Map(), byHash: new Map() };
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

export function evolve(state: KeysState, event: Envelope): KeysState {
  const e = event as KeyEvent;
  switch (e.type) {
    case ApiKeyCreated.type: {
      const d = e.data;
      if (state.keys.has(d.key_id)) return state; // ids are unique; a replayed create changes nothing
      state.keys.set(d.key_id, {
        id: d.key_id, name: d.name, permissions: d.permissions, secret_sha256: d.secret_sha256,
        created_at: d.created_at, expires_at: d.expires_at, created_by: d.created_by, rotated_from: d.rotated_from,
        revoked: false, revoked_at: null, revoked_by: null, revoke_reason: null, rotated_to: null, overlap_until: null,
        valid_until_ms: msOrNull(d.expires_at),
      });
      state.byHash.set(d.secret_sha256, d.key_id);
      return state;
    }
    case ApiKeyRevoked.type: {
      const r = state.keys.get(e.data.key_id);
      if (!r || r.revoked) return state;
      state.keys.set(r.id, { ...r, revoked: true, revoked_at: e.time, revoked_by: e.data.revoked_by, revoke_reason: e.data.reason });
      return state;
    }
    case ApiKeyRotated.type: {
      const r = state.keys.get(e.data.key_id);
      if (!r) return state;
      const until = ms(e.data.overlap_until);
      state.keys.set(r.id, { ...r, rotated_to: e.data.successor_id, overlap_until: e.data.overlap_until, valid_until_ms: earliest(msOrNull(r.expires_at), until) });
      return state;
    }
    default:
      return state;
  }
}

/** Canonical JSON: keys sorted by id (the hash index is rebuilt on read). */
export function toJSON(state: KeysState): KeyRecord[] {
  return sortedEntries(state.keys).map(([, r]) => r);
}

export function fromJSON(json: unknown): KeysState {
  const state = initialState();
  for (const r of json as KeyRecord[]) {
    state.keys.set(r.id, r);
    state.byHash.set(r.secret_sha256, r.id);
  }
  return state;
}

/** The key-registry projection, for the runner. */
export const keysProjection: Projection<KeysState> = { name: 'keys', topics: [ADMIN_TOPIC], initialState, evolve, toJSON, fromJSON };

export type KeyStatus = 'active' | 'revoked' | 'expired' | 'unknown';

export function getKey(state: KeysState, id: string): KeyRecord | undefined {
  return state.keys.get(id);
}

/** The key whose secret hashes to `sha256` (hex), whatever its status. */
export function findKeyBySecretHash(state: KeysState, sha256: string): KeyRecord | undefined {
  const id = state.byHash.get(sha256);
  return id === undefined ? undefined : state.keys.get(id);
}

/** Whether a key works at `nowMs`: revocation wins, then expiry (or the end of a rotation overlap). */
export function keyStatus(state: KeysState, id: string, nowMs: number): KeyStatus {
  const r = state.keys.get(id);
  if (!r) return 'unknown';
  if (r.revoked) return 'revoked';
  if (r.valid_until_ms !== null && nowMs >= r.valid_until_ms) return 'expired';
  return 'active';
}

/** Keys, oldest first, without the secret hash (what a listing may show). */
export function listKeys(state: KeysState): Omit<KeyRecord, 'secret_sha256'>[] {
  return [...state.keys.values()]
    .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1))
    .map(({ secret_sha256: _hash, ...rest }) => rest);
}
