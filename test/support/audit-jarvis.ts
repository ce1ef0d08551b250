/**
 * A whole Jarvis with the audit log mounted, for audit and CLI tests: startTestJarvis's log,
 * publisher and live views, the projector deriving SECURITY_EVENTs from them, the audit read
 * model, and an app built the way src/main.ts builds it with `auditRoutes` added — until
 * main.ts mounts them itself (then this file shrinks to startTestJarvis + waiting helpers).
 * The projector is main.ts's own when it runs one in-process (embedded mode), else started here.
 */
import { parseAuditConfig } from '../../src/config/audit.ts';
import { createAuthenticator } from '../../src/auth/authenticate.ts';
import { createJwtService } from '../../src/auth/jwt.ts';
import { createChatService } from '../../src/chat/service.ts';
import { createApp } from '../../src/http/app.ts';
import { createLocalEffects } from '../../src/http/overlay.ts';
import { apiRoutes, openApiDocument, openApiRoute } from '../../src/http/routes/index.ts';
import type { SpeechPort } from '../../src/http/routes/speech-port.ts';
import { listen } from '../../src/http/server.ts';
import { createStreamRegistry } from '../../src/http/stream-registry.ts';
import { startProjector, type Projector } from '../../src/projector/projector.ts';
import { createLimiter } from '../../src/ratelimit/limiter.ts';
import { AppError } from '../../src/shared/errors.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { randomIds } from '../../src/shared/ids.ts';
import { createLogger, type Logger } from '../../src/telemetry/logger.ts';
import { auditRoutes } from '../../src/audit/routes.ts';
import { startAudit, type Audit } from '../../src/audit/service.ts';
import { blockView, keyView, remoteCounts, sessionView } from '../../src/views/adapters.ts';
import { KEYS, startTestJarvis, type TestJarvis } from './http-jarvis.ts';

export { KEYS } from './http-jarvis.ts';

export interface AuditJarvis {
  readonly url: string;
  readonly dataDir: string;
  readonly base: TestJarvis;
  readonly audit: Audit;
  readonly projector: Projector;
  fetch(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  /** Admin GET of a JSON path. */
  admin<T = unknown>(path: string): Promise<T>;
  /** Polls until `check` returns a truthy value (or throws after `ms`). */
  until<T>(check: () => T | Promise<T>, ms?: number): Promise<NonNullable<T>>;
  close(): Promise<void>;
}

const noSpeech: SpeechPort = {
  engine: 'none',
  voice: 'none',
  speak: () => Promise.reject(new AppError('ERR_TTS_UNAVAILABLE', { status: 503, title: 'Service unavailable', detail: 'No speech engine in the audit test harness.' })),
};

export interface AuditJarvisOptions {
  /** Where every component logs (default: nowhere). */
  readonly logger?: Logger;
}

export async function startAuditJarvis(env: Record<string, string> = {}, options: AuditJarvisOptions = {}): Promise<AuditJarvis> {
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const base = await startTestJarvis({ JARVIS_BRUTE_FORCE_THRESHOLD: '1000', ...env }, { logger });
  const { config, log, publisher, live } = base.jarvis;
  const clock = systemClock;
  const ids = randomIds;
  const now = () => clock.now();
  // main.ts runs the projector in-process in embedded mode; start one here only when it did not.
  const ownProjector = base.jarvis.projector === null;
  const projector = base.jarvis.projector ?? (await startProjector(config, { log, housekeepingMs: 0, settleMs: 100, logger }));
  const audit = await startAudit({ log, dataDir: config.dataDir, audit: parseAuditConfig({ JARVIS_AUDIT_HEAD_EVERY: '1h', ...env }), groupPrefix: `${config.eventLog.topicPrefix}jarvis.audit`, settleMs: 100, logger });
  const effects = createLocalEffects({ keys: keyView(live.keys), sessions: sessionView(live.sessions, now), blocks: blockView(live.blocks) }, now);
  const jwt = createJwtService({ secret: config.auth.jwtSecret!, issuer: config.auth.jwtIssuer, audience: config.auth.jwtAudience, ttlMs: config.auth.jwtTtlMs });
  const authenticator = createAuthenticator({ staticKeys: config.auth.staticKeys, keys: effects.keys, sessions: effects.sessions, jwt });
  const limiter = createLimiter(config.rateLimit, remoteCounts(live.rates, config.instanceId));
  const chat = createChatService({ config, publisher, clock, ids, logger });
  const extra = auditRoutes({ audit, publisher, clock, live: { heartbeatMs: 300, pollMs: 100 } });
  const routes = apiRoutes({
    config, clock, ids, publisher, jwt, effects, startedAt: now(),
    readiness: { check: () => ({ ok: true, parts: {} }) },
    status: { aiProviders: () => Promise.resolve({}), ttsEngine: () => 'none', ttsVoice: () => 'none', eventLog: () => ({ kind: log.kind }) },
    chat, speech: noSpeech, streams: createStreamRegistry(now), extraRoutes: extra,
  });
  routes.push(openApiRoute(JSON.stringify(openApiDocument(routes, config.version))));
  const app = createApp({
    development: false, instanceId: config.instanceId, trustedHosts: config.http.trustedHosts, trustedProxies: config.http.trustedProxies,
    allowedIps: config.http.allowedIps, blockedIps: config.http.blockedIps, allowedOrigins: config.http.allowedOrigins, maxBodyBytes: config.http.maxBodyBytes,
    clock, ids, publisher, authenticator, limiter, blocks: effects.blocks, routes, onError: (err) => logger.error({ err }, 'request failed'),
  });
  const server = await listen(app.callback(), { ...config.http, port: 0 });
  const self: AuditJarvis = {
    url: server.url,
    dataDir: base.dataDir,
    base,
    audit,
    projector,
    fetch(p, init = {}) {
      const headers = new Headers(init.headers);
      if (init.key) headers.set('authorization', `Bearer ${init.key}`);
      return fetch(server.url + p, { ...init, headers });
    },
    async admin<T>(p: string) {
      const res = await self.fetch(p, { key: KEYS.admin });
      if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async until(check, ms = 15_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const v = await check();
        if (v) return v as NonNullable<typeof v>;
        if (Date.now() > deadline) throw new Error('condition not met in time');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      extra.live.closeAll();
      await server.close(500);
      await chat.close();
      await audit.stop();
      if (ownProjector) await projector.stop();
      await base.close();
    },
  };
  return self;
}
