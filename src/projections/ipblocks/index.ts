/**
 * The IP block list from `jarvis.admin`: blocks added by an admin or automatically (brute
 * force), removed early, or expired. Only CIDR strings are kept; matching an address against
 * them is the HTTP layer's job. Expired blocks are dropped at the newest event time seen.
 */
import { ADMIN_TOPIC, IpBlockAdded, IpBlockRemoved, type Envelope } from '../../../events/index.ts';
import { ms, msOrNull, sortedEntries, type EventOf } from '../events.ts';
import type { Projection } from '../types.ts';

export interface IpBlock {
  readonly block_id: string;
  readonly cidr: string;
  readonly expires_at: string | null;
  readonly expires_ms: number | null;
  readonly reason: string | null;
  readonly source: 'admin' | 'auto';
  readonly created_by: string | null;
  readonly created_at: string;
}

export interface IpBlocksState {
  readonly blocks: Map<string, IpBlock>;
  clockMs: number;
}

type BlockEvent = EventOf<typeof IpBlockAdded> | EventOf<typeof IpBlockRemoved>;

export function initialState(): IpBlocksState {
  return { blocks: new Map(), clockMs: 0 };
}

function live(b: IpBlock, nowMs: number): boolean {
  return b.expires_ms === null || b.expires_ms > nowMs;
}

export function evolve(state: IpBlocksState, event: Envelope): IpBlocksState {
  const e = event as BlockEvent;
  switch (e.type) {
    case IpBlockAdded.type: {
      const d = e.data;
      state.blocks.set(d.block_id, {
        block_id: d.block_id, cidr: d.cidr, expires_at: d.expires_at, expires_ms: msOrNull(d.expires_at),
        reason: d.reason, source: d.source, created_by: d.created_by, created_at: d.created_at,
      });
      break;
    }
    case IpBlockRemoved.type:
      state.blocks.delete(e.data.block_id);
      break;
    default:
      return state;
  }
  const t = ms(e.time);
  if (t > state.clockMs) {
    state.clockMs = t;
    for (const [id, b] of state.blocks) if (!live(b, t)) state.blocks.delete(id);
  }
  return state;
}

export function toJSON(state: IpBlocksState): { clockMs: number; blocks: IpBlock[] } {
  return { clockMs: state.clockMs, blocks: sortedEntries(state.blocks).filter(([, b]) => live(b, state.clockMs)).map(([, b]) => b) };
}

export function fromJSON(json: unknown): IpBlocksState {
  const j = json as { clockMs: number; blocks: IpBlock[] };
  return { clockMs: j.clockMs, blocks: new Map(j.blocks.map((b) => [b.block_id, b])) };
}

/** The block-list projection, for the runner. */
export const ipBlocksProjection: Projection<IpBlocksState> = { name: 'ipblocks', topics: [ADMIN_TOPIC], initialState, evolve, toJSON, fromJSON };

/** Blocks in force at `nowMs`, oldest first. */
export function activeBlocks(state: IpBlocksState, nowMs: number): IpBlock[] {
  return [...state.blocks.values()]
    .filter((b) => live(b, nowMs))
    .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.block_id < b.block_id ? -1 : 1));
}

export function getBlock(state: IpBlocksState, blockId: string): IpBlock | undefined {
  return state.blocks.get(blockId);
}
