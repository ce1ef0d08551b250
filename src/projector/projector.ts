/**
 * The projector: the security derivation (SECURITY_EVENTs to jarvis.security, automatic blocks
 * to jarvis.admin), the session state its cleanup needs, and any store-backed read models
 * (the audit log), run by one ProjectionRunner set. `startProjector` runs it in this process —
 * its own (`npm run projector`) or the API's primary in embedded mode.
 */
import path from 'node:path';
import { SECURITY_EVENT_KINDS, type Envelope } from '../../events/index.ts';
import type { Config } from '../config/config.ts';
import { ATTR, SPAN } from '../telemetry/names.ts';
import { contextFromEvent, tracer } from '../telemetry/tracing.ts';
import { createEventLog } from '../eventlog/factory.ts';
import { errorMessage, silentLog, type LogSink } from '../eventlog/logger.ts';
import type { EventLog } from '../eventlog/types.ts';
import { ProjectionRunner, type Lag, type RunnerStats } from '../projections/runner.ts';
import { securityDerivation, type SecurityState } from '../projections/security/index.ts';
import { sessionsProjection, type SessionsState } from '../projections/sessions/index.ts';
import type { Projection, StoreProjection } from '../projections/types.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { ChainHeads } from './chain-heads.ts';
import { RecentlyPublished, sessionExpiryEvents } from './housekeeping.ts';
import { appliedCounter, trackRunner, type RunnerMetrics } from './metrics.ts';
import { createDerivedPublisher } from './publish.ts';

export interface ProjectorDeps {
  /** A started log to use (the caller closes it); otherwise one is created from the config. */
  readonly log?: EventLog;
  readonly logger?: LogSink;
  readonly clock?: Clock;
  /** Store-backed read models to keep in the same transaction (the audit log). */
  readonly stores?: readonly StoreProjection[];
  /** Called for each security record after it is published (the SECURITY_EVENT log line, metrics). */
  readonly onSecurityRecord?: (record: Envelope) => void;
  /** Drop the read models and replay the log from the beginning. */
  readonly rebuild?: boolean;
  /** Default `<dataDir>/projections.db`. */
  readonly file?: string;
  /** Session cleanup and key-expiry scan period (default 10 s; 0 turns the timer off). */
  readonly housekeepingMs?: number;
  /** Chain-head publication period (default JARVIS_AUDIT_HEAD_EVERY; 0 turns the timer off). */
  readonly headEveryMs?: number;
  readonly settleMs?: number;
  /** Lag, progress and applied events, labelled projection="projector". */
  readonly metrics?: RunnerMetrics;
}

export interface Projector {
  readonly runner: ProjectionRunner;
  readonly ready: Promise<void>;
  isReady(): boolean;
  lag(): Lag;
  stats(): RunnerStats;
  /** One housekeeping pass at `nowMs`: publishes session expiries and key-expiry records; returns how many. */
  housekeeping(nowMs: number): Promise<number>;
  /** Publishes the heads of the chains that moved (ChainHeadPublished); returns how many heads. */
  publishHeads(nowMs: number): Promise<number>;
  stop(): Promise<void>;
}

/** A SECURITY_EVENT proper (not a chain-head notice). */
const isSecurityRecord = (env: Envelope): boolean => Object.hasOwn(SECURITY_EVENT_KINDS, env.type);

/** The projection set name in projections.db. */
export const PROJECTOR_SET = 'projector';

export async function startProjector(config: Config, deps: ProjectorDeps = {}): Promise<Projector> {
  const logger = deps.logger ?? silentLog;
  const clock = deps.clock ?? systemClock;
  const ownLog = !deps.log;
  const log = deps.log ?? createEventLog(config, { logger, clock });
  if (ownLog) await log.start();
  const derived = createDerivedPublisher(config, log, logger);
  /** A published security record: a span in the trace of the request that caused it, then the hook. */
  const recorded = (record: Envelope) => {
    const data = record.data as { code?: string };
    tracer()
      .startSpan(SPAN.securityEvent, { attributes: { [ATTR.securityType]: record.type, [ATTR.securityCode]: data.code ?? '', [ATTR.eventId]: record.id } }, contextFromEvent(record))
      .end();
    deps.onSecurityRecord?.(record);
  };
  const security = securityDerivation({
    bruteForceThreshold: config.auth.bruteForceThreshold,
    bruteForceWindowMs: config.auth.bruteForceWindowMs,
    bruteForceBlockMs: config.auth.bruteForceBlockMs,
    keyExpiryWarningMs: config.auth.keyExpiryWarningMs,
  });
  const heads = new ChainHeads();
  const runner = new ProjectionRunner({
    log,
    file: deps.file ?? path.join(config.dataDir, 'projections.db'),
    setName: PROJECTOR_SET,
    groupPrefix: `${config.eventLog.topicPrefix}jarvis.projector`,
    projections: [security, sessionsProjection] as Projection<unknown>[],
    stores: deps.stores ?? [],
    publish: async (events) => {
      await derived.publish(events);
      heads.note(events);
      for (const e of events) if (isSecurityRecord(e.envelope)) recorded(e.envelope);
    },
    rebuild: deps.rebuild ?? false,
    // JARVIS_EVENTLOG_SYNC: 'normal' unless power-loss durability is asked for (an fsync per batch).
    durability: config.eventLog.sync,
    clock,
    logger,
    ...(deps.settleMs !== undefined && { settleMs: deps.settleMs }),
    ...(deps.metrics && { onApplied: appliedCounter(deps.metrics, PROJECTOR_SET) }),
  });
  if (deps.metrics) trackRunner(deps.metrics, PROJECTOR_SET, runner);
  try {
    await runner.start();
  } catch (err) {
    await derived.close();
    if (ownLog) await log.close();
    throw err;
  }

  heads.seed(runner.state<SecurityState>('security').chains);
  const recent = new RecentlyPublished();
  const source = `/jarvis-projector/${config.instanceId}`;
  let busy: Promise<number> | null = null;
  const housekeeping = (nowMs: number): Promise<number> => {
    // Only once caught up: a backlog may still hold the refresh or revocation that decides.
    if (!runner.isReady()) return Promise.resolve(0);
    busy ??= (async () => {
      const due = recent.fresh([...sessionExpiryEvents(runner.state<SessionsState>('sessions'), nowMs, source), ...runner.scan(nowMs)], nowMs);
      try {
        await derived.publish(due);
        heads.note(due);
        for (const e of due) if (isSecurityRecord(e.envelope)) recorded(e.envelope);
      } catch (err) {
        recent.forget(due);
        throw err;
      }
      return due.length;
    })().finally(() => (busy = null));
    return busy;
  };
  const every = deps.housekeepingMs ?? 10_000;
  const timer = every > 0 ? setInterval(() => {
    housekeeping(clock.now()).catch((err: unknown) => logger.warn({ err: errorMessage(err) }, 'projector: housekeeping failed; retrying next tick'));
  }, every) : undefined;
  timer?.unref();

  let headsBusy: Promise<number> | null = null;
  const publishHeads = (nowMs: number): Promise<number> => {
    headsBusy ??= (async () => {
      const event = heads.due(nowMs, source);
      if (!event) return 0;
      try {
        await derived.publish([event]);
      } catch (err) {
        heads.forget(event);
        throw err;
      }
      const list = (event.envelope.data as { heads: unknown[] }).heads;
      logger.info({ heads: list }, 'projector: chain heads published');
      return list.length;
    })().finally(() => (headsBusy = null));
    return headsBusy;
  };
  const headEvery = deps.headEveryMs ?? config.audit.headEveryMs;
  const headTimer = headEvery > 0 ? setInterval(() => {
    publishHeads(clock.now()).catch((err: unknown) => logger.warn({ err: errorMessage(err) }, 'projector: chain heads not published; retrying next tick'));
  }, headEvery) : undefined;
  headTimer?.unref();

  return {
    runner,
    ready: runner.ready,
    isReady: () => runner.isReady(),
    lag: () => runner.lag(),
    stats: () => ({ ...runner.stats }),
    housekeeping,
    publishHeads,
    async stop() {
      clearInterval(timer);
      clearInterval(headTimer);
      await busy?.catch(() => 0);
      await headsBusy?.catch(() => 0);
      await runner.stop();
      await derived.close();
      if (ownLog) await log.close();
    },
  };
}
