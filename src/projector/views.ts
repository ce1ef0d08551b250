/**
 * The in-memory views an API instance enforces from — keys, sessions, IP blocks, rate
 * counters — kept current by a ProjectionRunner of their own. Each instance runs its own set
 * (its own consumer group: every instance sees every event), persisted in its data directory,
 * so a restart resumes from the stored state instead of replaying the log. Commits do not fsync
 * (durability 'normal'): the runner shares the event loop with requests, and a power loss costs
 * at most the last few batches of counters, never a double count.
 * The composition root (src/main.ts) reads them through src/views/adapters.ts.
 */
import type { EventLog } from '../eventlog/types.ts';
import type { LogSink } from '../eventlog/logger.ts';
import { ipBlocksProjection, type IpBlocksState } from '../projections/ipblocks/index.ts';
import { keysProjection, type KeysState } from '../projections/keys/index.ts';
import { rateCountersProjection, type RateCountersState } from '../projections/ratelimit/index.ts';
import { ProjectionRunner, type Lag, type RunnerStats } from '../projections/runner.ts';
import { sessionsProjection, type SessionsState } from '../projections/sessions/index.ts';
import type { Projection } from '../projections/types.ts';
import type { Clock } from '../shared/clock.ts';
import { appliedCounter, trackRunner, type RunnerMetrics } from './metrics.ts';

export interface ViewsOptions {
  readonly log: EventLog;
  /** `<dataDir>/projections.db`, or ':memory:' for views rebuilt from the log on every start. */
  readonly file: string;
  /** Unique per process sharing the file (e.g. `views` or `views-w2` for cluster workers). */
  readonly setName: string;
  /** The largest rate-limit window in use. */
  readonly maxWindowMs: number;
  /** Instances whose requests the rate counters leave out: this instance (and its workers) count their own. */
  readonly ownInstance?: (instance: string) => boolean;
  readonly groupPrefix?: string;
  readonly rebuild?: boolean;
  readonly clock?: Clock;
  readonly logger?: LogSink;
  readonly settleMs?: number;
  /** Lag, progress and applied events, labelled projection="views". */
  readonly metrics?: RunnerMetrics;
}

export interface Views {
  keys(): KeysState;
  sessions(): SessionsState;
  blocks(): IpBlocksState;
  rates(): RateCountersState;
  /** True once the backlog present at start has been applied. */
  caughtUp(): boolean;
  lagEvents(): number;
  lag(): Lag;
  stats(): RunnerStats;
  readonly ready: Promise<void>;
  readonly runner: ProjectionRunner;
  stop(): Promise<void>;
}

export async function startViews(o: ViewsOptions): Promise<Views> {
  const runner = new ProjectionRunner({
    log: o.log,
    file: o.file,
    setName: o.setName,
    groupPrefix: o.groupPrefix ?? 'jarvis.views',
    durability: 'normal',
    projections: [keysProjection, sessionsProjection, ipBlocksProjection, rateCountersProjection({ maxWindowMs: o.maxWindowMs, ...(o.ownInstance && { countedElsewhere: o.ownInstance }) })] as Projection<unknown>[],
    ...(o.rebuild !== undefined && { rebuild: o.rebuild }),
    ...(o.clock && { clock: o.clock }),
    ...(o.logger && { logger: o.logger }),
    ...(o.settleMs !== undefined && { settleMs: o.settleMs }),
    ...(o.metrics && { onApplied: appliedCounter(o.metrics, 'views') }),
  });
  if (o.metrics) trackRunner(o.metrics, 'views', runner);
  await runner.start();
  return {
    keys: () => runner.state<KeysState>('keys'),
    sessions: () => runner.state<SessionsState>('sessions'),
    blocks: () => runner.state<IpBlocksState>('ipblocks'),
    rates: () => runner.state<RateCountersState>('ratelimit'),
    caughtUp: () => runner.isReady(),
    lagEvents: () => runner.lag().events,
    lag: () => runner.lag(),
    stats: () => ({ ...runner.stats }),
    ready: runner.ready,
    runner,
    stop: () => runner.stop(),
  };
}
