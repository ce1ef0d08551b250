/**
 * The composition root: builds the event log, the projections, the providers, the speech
 * engine and the app, and hands each what it needs. Nothing else imports this file; tests and
 * the process entry (src/cli/serve.ts) call `startJarvis`.
 */
import type { Config } from './config/config.ts';
import { createAuthenticator } from './auth/authenticate.ts';
import { createJwtService } from './auth/jwt.ts';
import { metricsObserver } from './chat/observer.ts';
import { createChatService, type ChatService } from './chat/service.ts';
import { createEventLog, createPublisher } from './eventlog/factory.ts';
import type { Publisher } from './eventlog/publisher.ts';
import type { EventLog } from './eventlog/types.ts';
import { createApp } from './http/app.ts';
import { createLocalEffects } from './http/overlay.ts';
import type { RouteDeps } from './http/routes/deps.ts';
import { apiRoutes, openApiDocument, openApiRoute } from './http/routes/index.ts';
import type { SpeechPort } from './http/routes/speech-port.ts';
import { listen } from './http/server.ts';
import { createStreamRegistry } from './http/stream-registry.ts';
import { withSiblings } from './http/stream-siblings.ts';
import { clusterStreamSlots, localStreamSlots } from './http/stream-slots.ts';
import { siblingBus } from './cluster/siblings.ts';
import { clusterLimiter } from './cluster/admissions.ts';
import { isWorkerOf, type ClusterMembership } from './cluster/membership.ts';
import { createTtsService } from './tts/service.ts';
import { hasFfmpeg } from './tts/format.ts';
import { auditRoutes } from './audit/routes.ts';
import { startAudit, type Audit } from './audit/service.ts';
import { createLimiter } from './ratelimit/limiter.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { randomIds, type IdGenerator } from './shared/ids.ts';
import { createLogger, type Logger } from './telemetry/logger.ts';
import { createMetrics, type JarvisMetrics } from './telemetry/metrics.ts';
import { instrumentPublisher, trackTtsQueue } from './telemetry/wiring.ts';
import { activeBlocks } from './projections/ipblocks/index.ts';
import { listSessions } from './projections/sessions/index.ts';
import { isAppError } from './shared/errors.ts';
import { DATA_DIR_DATABASES } from './shared/data-files.ts';
import { startWalCheckpointer } from './shared/wal-checkpointer.ts';
import { serveMetrics, type MetricsServer } from './telemetry/server.ts';
import { blockView, keyView, remoteCounts, sessionView } from './views/adapters.ts';
import path from 'node:path';
import { RateLimitDegraded, type Envelope, type SecurityEventData, type SecurityEventType } from '../events/index.ts';
import { startProjector, type Projector } from './projector/projector.ts';
import { startViews, type Views } from './projector/views.ts';
import { securityEvent } from './telemetry/logger.ts';

export interface JarvisOptions {
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly logger?: Logger;
  readonly metrics?: JarvisMetrics;
  /** The speech engine; by default the one JARVIS_TTS_ENGINE selects. */
  readonly speech?: SpeechPort;
  /** Do not open the metrics listener (cluster workers: the primary serves the aggregate). */
  readonly noMetricsListener?: boolean;
  /** Name of this process's views in projections.db: `views`, or `views-w<N>` per cluster worker. */
  readonly viewsSet?: string;
  /** Run the projector here when JARVIS_PROJECTOR=inprocess (false in cluster workers: the primary runs it). */
  readonly runProjector?: boolean;
  /** Cluster workers: how to reach the primary and the other workers (rate limits, stream caps, stream URLs, conversations). */
  readonly cluster?: ClusterMembership;
  /** Faster settling and polling for tests; production leaves these to each component's default. */
  readonly tuning?: { readonly settleMs?: number; readonly housekeepingMs?: number; readonly auditLive?: { readonly heartbeatMs: number; readonly pollMs: number } };
}

export interface Jarvis {
  readonly url: string;
  readonly metricsUrl: string | null;
  readonly config: Config;
  readonly log: EventLog;
  readonly publisher: Publisher;
  readonly live: Views;
  readonly projector: Projector | null;
  readonly audit: Audit;
  readonly metrics: JarvisMetrics;
  /** Graceful: stop accepting, finish in-flight requests, flush the outbox, close the log. */
  close(graceMs?: number): Promise<void>;
}

export async function startJarvis(config: Config, options: JarvisOptions = {}): Promise<Jarvis> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const now = () => clock.now();
  const logger = options.logger ?? createLogger({ level: config.logLevel, base: { instance: config.instanceId } });
  const startedAt = now();

  const log = createEventLog(config, { logger, clock });
  await log.start();
  // SQLite checkpoints of this data directory's files, on a worker thread instead of in the commits.
  const checkpointer = startWalCheckpointer({ files: DATA_DIR_DATABASES.map((f) => path.join(config.dataDir, f)), logger });
  const metrics = options.metrics ?? metricsFor(config);
  const publisher = instrumentPublisher(createPublisher(config, log, clock, ids, logger), metrics, { log: log.kind, topicPrefix: config.eventLog.topicPrefix });
  const own = options.cluster ? isWorkerOf(options.cluster.instanceId) : (instance: string) => instance === config.instanceId;
  const live = await startViews({
    log,
    file: path.join(config.dataDir, 'projections.db'),
    setName: options.viewsSet ?? 'views',
    groupPrefix: `${config.eventLog.topicPrefix}jarvis.views.${config.instanceId}`,
    maxWindowMs: Math.max(config.rateLimit.api.windowMs, config.rateLimit.stream.windowMs),
    // The limiter counts this instance's admissions itself and reads only the others' from here.
    ownInstance: own,
    clock,
    logger,
    metrics,
    ...(options.tuning?.settleMs !== undefined && { settleMs: options.tuning.settleMs }),
  });
  const projector = config.eventLog.projector === 'inprocess' && options.runProjector !== false
    ? await startProjector(config, { log, logger, clock, metrics, ...(options.tuning?.settleMs !== undefined && { settleMs: options.tuning.settleMs }), ...(options.tuning?.housekeepingMs !== undefined && { housekeepingMs: options.tuning.housekeepingMs }), onSecurityRecord: (r) => { securityEvent(logger, r as Envelope<string, SecurityEventData>); metrics.securityEvent(r.type as SecurityEventType); } })
    : null;

  const effects = createLocalEffects({ keys: keyView(live.keys), sessions: sessionView(live.sessions, now), blocks: blockView(live.blocks) }, now);
  if (!config.auth.jwtSecret) throw new Error('JARVIS_JWT_SECRET: missing (bootstrap should have generated one)');
  const jwt = createJwtService({ secret: config.auth.jwtSecret, issuer: config.auth.jwtIssuer, audience: config.auth.jwtAudience, ttlMs: config.auth.jwtTtlMs });
  const authenticator = createAuthenticator({ staticKeys: config.auth.staticKeys, keys: effects.keys, sessions: effects.sessions, jwt });
  // One process counts its own admissions; a cluster worker lets the primary count the instance's.
  const limiter = options.cluster
    ? clusterLimiter(options.cluster.channel, { rates: config.rateLimit, remote: remoteCounts(live.rates, own), workers: options.cluster.workers })
    : createLimiter(config.rateLimit, remoteCounts(live.rates, own));

  // Cluster workers ask each other for what only one of them holds: stream URLs and conversations.
  const bus = options.cluster ? siblingBus(options.cluster.channel) : null;
  const chat: ChatService = createChatService({ config, publisher, clock, ids, logger, observer: metricsObserver(metrics), ...(bus && { siblings: bus }) });
  const streams = bus ? withSiblings(createStreamRegistry(now), bus, { now }) : createStreamRegistry(now);
  const tts = options.speech ? null : await createTtsService({ config, publisher, clock, ids, logger });
  const speech: SpeechPort = options.speech ?? {
    engine: tts!.engine,
    voice: tts!.voice,
    ffmpeg: hasFfmpeg(),
    async speak(req, ctx) {
      try {
        return await tts!.speak(req, ctx);
      } catch (err) {
        // A refused job publishes no event: count it here, so saturation shows.
        if (isAppError(err) && err.code === 'ERR_TTS_QUEUE_FULL') metrics.ttsJobs.inc({ engine: tts!.engine, outcome: 'rejected' });
        throw err;
      }
    },
  };
  if (tts) trackTtsQueue(metrics, () => tts.status().queue);
  metrics.activeSessions.track(() => listSessions(live.sessions(), { activeAt: now() }).length);
  metrics.activeIpBlocks.track(() => {
    const counts = { admin: 0, auto: 0 };
    for (const b of activeBlocks(live.blocks(), now())) counts[b.source]++;
    return [[{ source: 'config' }, config.http.blockedIps.length], [{ source: 'admin' }, counts.admin], [{ source: 'auto' }, counts.auto]];
  });

  // /ready is public: outside development a failing log's own words (broker addresses, driver
  // errors, certificate names) stay in the server log, which has them (see the log's health()).
  const development = config.nodeEnv === 'development';
  const readiness = {
    check() {
      const health = log.health();
      const parts = {
        event_log: { ok: health.ok, detail: health.ok || development ? health.detail : `${log.kind} event log unavailable; the server log says why` },
        projections: { ok: live.caughtUp(), detail: live.caughtUp() ? `caught up (lag ${live.lagEvents()} events)` : `replaying (lag ${live.lagEvents()} events)` },
        ...(projector && { projector: { ok: projector.isReady(), detail: projector.isReady() ? `caught up (lag ${projector.lag().events} events)` : `replaying (lag ${projector.lag().events} events)` } }),
        outbox: (() => {
          const s = publisher.stats();
          const ok = s.outboxDepth < s.outboxCapacity;
          return { ok, detail: `${s.outboxDepth} of ${s.outboxCapacity} events waiting` };
        })(),
      };
      return { ok: Object.values(parts).every((p) => p.ok), parts };
    },
  };

  const deps: RouteDeps = {
    config,
    clock,
    ids,
    publisher,
    jwt,
    effects,
    readiness,
    startedAt,
    onError: (err) => logger.error({ err }, 'unexpected error'),
    status: {
      // providers() never waits: the breaker's state plus the last cached probe (refreshed in the background).
      aiProviders: async () => Object.fromEntries(chat.providers().map((p) => [p.name, p.available])),
      providerDetails: () => chat.providers(),
      ttsEngine: () => speech.engine,
      ttsVoice: () => speech.voice,
      eventLog: () => {
        const s = publisher.stats();
        return { kind: log.kind, ok: log.health().ok, outbox_depth: s.outboxDepth, delivered: s.delivered, projection_lag_events: live.lagEvents() };
      },
    },
  };

  const audit = await startAudit({ log, dataDir: config.dataDir, audit: config.audit, groupPrefix: `${config.eventLog.topicPrefix}jarvis.audit.${config.instanceId}`, durability: config.eventLog.sync, clock, logger, ...(options.tuning?.settleMs !== undefined && { settleMs: options.tuning.settleMs }) });
  const auditApi = auditRoutes({ audit, publisher, clock, ...(options.tuning?.auditLive && { live: options.tuning.auditLive }) });
  const slots = options.cluster ? clusterStreamSlots(options.cluster.channel, config.http.maxStreamsPerPrincipal) : localStreamSlots(config.http.maxStreamsPerPrincipal);
  const routes = apiRoutes({ ...deps, chat, speech, streams, slots, extraRoutes: auditApi });
  routes.push(openApiRoute(JSON.stringify(openApiDocument(routes, config.version))));

  const app = createApp({
    development: config.nodeEnv === 'development',
    instanceId: config.instanceId,
    trustedHosts: config.http.trustedHosts,
    trustedProxies: config.http.trustedProxies,
    allowedIps: config.http.allowedIps,
    blockedIps: config.http.blockedIps,
    allowedOrigins: config.http.allowedOrigins,
    maxBodyBytes: config.http.maxBodyBytes,
    clock,
    ids,
    publisher,
    authenticator,
    limiter,
    blocks: effects.blocks,
    routes,
    inFlight: { inc: () => metrics.httpInFlight.inc({}), dec: () => metrics.httpInFlight.dec({}) },
    observe: (o) => metrics.observeHttp({ method: o.method, route: o.route, status: o.status, seconds: o.durationMs / 1000, traceId: o.ctx.state.traceId }),
    onError: (err, ctx) => logger.error({ err, request_id: ctx?.state?.requestId }, 'request failed'),
  });

  // Not failing open: without the shared log, enforce only this instance's share of each limit.
  // The change is published (it waits in the outbox until the log is back) and shown as a metric.
  const share = 1 / Math.max(1, config.workers);
  metrics.rateLimitDegraded.set({}, 0);
  const degradeTimer = setInterval(() => {
    const ok = log.health().ok;
    if (ok === !limiter.degraded) return limiter.sweep(now());
    limiter.setDegraded(ok ? null : share);
    metrics.rateLimitDegraded.set({}, ok ? 0 : 1);
    logger.warn({ share }, ok ? 'event log back: shared rate limits restored' : 'event log unreachable: enforcing this instance\'s share of each rate limit');
    try {
      publisher.publish(RateLimitDegraded, { instance: config.instanceId, state: ok ? 'recovered' : 'degraded', local_share: share }, { key: config.instanceId });
    } catch (err) {
      logger.error({ err }, 'could not record the rate-limit degradation');
    }
  }, 1000);
  degradeTimer.unref();

  const server = await listen(app.callback(), { ...config.http });
  let metricsServer: MetricsServer | null = null;
  if (!options.noMetricsListener) metricsServer = await serveMetrics({ host: config.http.metricsHost, port: config.http.metricsPort, registry: metrics.registry });

  return {
    url: server.url,
    metricsUrl: metricsServer?.url ?? null,
    config,
    log,
    publisher,
    live,
    projector,
    audit,
    metrics,
    async close(graceMs = 10_000) {
      clearInterval(degradeTimer);
      auditApi.live.closeAll();
      await server.close(graceMs);
      await metricsServer?.close();
      await chat.close();
      await tts?.close();
      await publisher.close();
      // Before the writers close: the last connection to close checkpoints and removes the WAL.
      await checkpointer.close();
      await projector?.stop();
      await audit.stop();
      await live.stop();
      await log.close();
    },
  };
}

/** The metrics registry for this configuration: its providers, engine and projections start at 0. */
export function metricsFor(config: Config): JarvisMetrics {
  return createMetrics({ version: config.version, providers: config.chat.order, ttsEngines: [config.tts.engine], projections: ['views', 'projector'] });
}
