/** The security derivation's state: what it must remember between events, all of it JSON-able. */
import { sortedEntries } from '../events.ts';

/** What the expiry scan needs to know about a managed key. */
export interface TrackedKey {
  /** Effective end of validity (expiry or end of rotation overlap), ms; null = never. */
  readonly valid_until_ms: number | null;
  readonly created_ms: number;
  readonly revoked: boolean;
}

export interface SecurityState {
  /** client IP → times (ms) of its recent failed authentications, oldest first. */
  readonly failures: Map<string, number[]>;
  /** client IP → end (ms) of the automatic block brute force put on it. */
  readonly blockedUntil: Map<string, number>;
  readonly keys: Map<string, TrackedKey>;
  /** chain partition → its newest link (tamper evidence; see chain.ts). Kept with the state, so a restart continues each chain. */
  readonly chains: Map<string, ChainTip>;
  clockMs: number;
  nextSweepMs: number;
}

/** The newest link of a chain: where the next record links to. */
export interface ChainTip {
  readonly seq: number;
  readonly hash: string;
}

export function initialSecurityState(): SecurityState {
  return { failures: new Map(), blockedUntil: new Map(), keys: new Map(), chains: new Map(), clockMs: 0, nextSweepMs: 0 };
}

/**
 * Forgets what can no longer matter, as of `clockMs` (the newest event time seen anywhere).
 * Decisions about one IP depend only on that IP's own events, which share a partition and keep
 * their order; other partitions may run ahead of it, by up to `latenessMs`, without changing them.
 */
export function sweep(state: SecurityState, windowMs: number, latenessMs: number): void {
  const horizon = state.clockMs - latenessMs;
  for (const [ip, times] of state.failures) if (times[times.length - 1]! + windowMs <= horizon) state.failures.delete(ip);
  for (const [ip, until] of state.blockedUntil) if (until <= horizon) state.blockedUntil.delete(ip);
}

interface SecurityJson {
  clockMs: number;
  failures: [string, number[]][];
  blockedUntil: [string, number][];
  keys: [string, TrackedKey][];
  chains?: [string, ChainTip][];
}

/** Canonical JSON: swept as of the state's clock, sorted. Sweeping a copy keeps `state` as it is. */
export function securityToJSON(state: SecurityState, windowMs: number, latenessMs: number): SecurityJson {
  const copy: SecurityState = { ...state, failures: new Map(state.failures), blockedUntil: new Map(state.blockedUntil) };
  sweep(copy, windowMs, latenessMs);
  return {
    clockMs: state.clockMs,
    failures: sortedEntries(copy.failures),
    blockedUntil: sortedEntries(copy.blockedUntil),
    keys: sortedEntries(state.keys),
    chains: sortedEntries(state.chains),
  };
}

export function securityFromJSON(json: unknown): SecurityState {
  const j = json as SecurityJson;
  return {
    failures: new Map(j.failures),
    blockedUntil: new Map(j.blockedUntil),
    keys: new Map(j.keys),
    // Snapshots from before the chain was carried have none: chains start at their genesis.
    chains: new Map(j.chains ?? []),
    clockMs: j.clockMs,
    nextSweepMs: j.clockMs,
  };
}
