/**
 * The projections an API instance enforces from (keys, sessions, IP blocks, rate counters),
 * kept in memory and current by following the log. Each instance follows with its own
 * consumer group from the beginning, so every instance sees every event.
 */
import { decodeEnvelope, UnknownEventError } from '../eventlog/envelope.ts';
import type { EventLog, Subscription } from '../eventlog/types.ts';
import { ipBlocksProjection, type IpBlocksState } from '../projections/ipblocks/index.ts';
import { keysProjection, type KeysState } from '../projections/keys/index.ts';
import { rateCountersProjection, type RateCountersState } from '../projections/ratelimit/index.ts';
import { sessionsProjection, type SessionsState } from '../projections/sessions/index.ts';
import type { Projection } from '../projections/types.ts';

export interface LiveState {
  keys(): KeysState;
  sessions(): SessionsState;
  blocks(): IpBlocksState;
  rates(): RateCountersState;
  /** True once the backlog present at start has been applied. */
  caughtUp(): boolean;
  lagEvents(): number;
  stop(): Promise<void>;
}

export async function startLiveState(log: EventLog, opts: { groupId: string; maxWindowMs: number }): Promise<LiveState> {
  const rates = rateCountersProjection({ maxWindowMs: opts.maxWindowMs });
  const all: Projection<unknown>[] = [keysProjection, sessionsProjection, ipBlocksProjection, rates] as Projection<unknown>[];
  const states = new Map<Projection<unknown>, unknown>(all.map((p) => [p, p.initialState()]));
  const byTopic = new Map<string, Projection<unknown>[]>();
  for (const p of all) for (const t of p.topics) byTopic.set(t, [...(byTopic.get(t) ?? []), p]);
  const lag = new Map<string, number>();
  const pending = new Set<string>(); // topic/partition not yet caught up
  let started = false;

  const sub: Subscription = await log.subscribe({
    groupId: opts.groupId,
    topics: [...byTopic.keys()],
    fromBeginning: true,
    async onBatch(batch) {
      const projections = byTopic.get(batch.topic) ?? [];
      for (const r of batch.records) {
        let env;
        try {
          env = decodeEnvelope(r.value);
        } catch (err) {
          if (err instanceof UnknownEventError) continue;
          continue; // a malformed record cannot be applied; the projector counts it
        }
        for (const p of projections) states.set(p, p.evolve(states.get(p), env));
      }
      const last = batch.records.at(-1);
      const tp = `${batch.topic}/${batch.partition}`;
      const behind = last ? Math.max(0, Number(batch.highWatermark) - Number(last.offset)) : 0;
      lag.set(tp, behind);
      if (behind === 0) pending.delete(tp);
    },
  });
  started = true;
  const startedAt = Date.now();

  return {
    keys: () => states.get(keysProjection as Projection<unknown>) as KeysState,
    sessions: () => states.get(sessionsProjection as Projection<unknown>) as SessionsState,
    blocks: () => states.get(ipBlocksProjection as Projection<unknown>) as IpBlocksState,
    rates: () => states.get(rates as Projection<unknown>) as RateCountersState,
    caughtUp: () => started && pending.size === 0 && (Date.now() - startedAt > 0),
    lagEvents: () => [...lag.values()].reduce((a, b) => a + b, 0),
    stop: () => sub.stop(),
  };
}
