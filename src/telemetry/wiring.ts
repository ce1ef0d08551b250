/**
 * Connects running components to the metrics without them knowing about prom-client.
 *
 * Most business metrics are derived from the events the code already publishes: every auth
 * decision, rate-limit refusal, TTS job and security event is an event on the log, with the
 * fields the metrics need. So the composition root wraps its publisher once
 * (`instrumentPublisher`) instead of threading metric handles through every decision.
 * Gauges of live state are sampled at scrape time (`trackLiveState`, `trackTtsQueue`).
 */
import type { z } from 'zod';
import type { AuthReason } from '../../events/auth.ts';
import type { Envelope, EventDefinition } from '../../events/index.ts';
import { SECURITY_EVENT_KINDS, type SecurityEventType } from '../../events/security.ts';
import type { Publisher } from '../eventlog/publisher.ts';
import type { JarvisMetrics } from './metrics.ts';

type LogKind = 'embedded' | 'kafka';
type Data = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : 'unknown');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Records the metrics one published event implies. Unknown types are ignored. */
export function recordEvent(m: JarvisMetrics, type: string, data: Data): void {
  switch (type) {
    case 'jarvis.auth.decision_recorded.v1':
      m.authDecisions.inc({
        stage: data.stage === 'authorization' ? 'authorization' : 'authentication',
        result: data.outcome === 'granted' ? 'granted' : 'denied',
        reason: str(data.reason) as z.infer<typeof AuthReason>,
        credential: data.method === 'api_key' || data.method === 'jwt' ? data.method : 'none',
      });
      return;
    case 'jarvis.http.rate_limit_exceeded.v1':
      m.rateLimitRejections.inc({ tier: data.tier === 'stream' ? 'stream' : 'api', scope: data.scope === 'principal' ? 'principal' : 'ip' });
      return;
    case 'jarvis.tts.first_audio.v1':
      m.ttsTimeToFirstByte.observe({ engine: str(data.engine) }, num(data.time_to_first_byte_ms) / 1000);
      return;
    case 'jarvis.tts.job_completed.v1': {
      const engine = str(data.engine);
      m.ttsJobs.inc({ engine, outcome: 'completed' });
      m.ttsSynthesisDuration.observe({ engine }, num(data.synthesis_seconds));
      m.ttsAudioSeconds.inc({ engine }, num(data.audio_seconds));
      m.ttsCharacters.inc({ engine }, num(data.characters));
      return;
    }
    case 'jarvis.tts.job_failed.v1':
      m.ttsJobs.inc({ engine: str(data.engine), outcome: 'failed' });
      m.ttsSynthesisDuration.observe({ engine: str(data.engine) }, num(data.synthesis_seconds));
      return;
    case 'jarvis.tts.job_cancelled.v1':
      m.ttsJobs.inc({ engine: str(data.engine), outcome: 'cancelled' });
      return;
    default:
      if (type in SECURITY_EVENT_KINDS) m.securityEvent(type as SecurityEventType);
  }
}

export interface InstrumentOptions {
  readonly log: LogKind;
  /** Strip this prefix from topic labels (JARVIS_TOPIC_PREFIX) so labels stay the catalog's. */
  readonly topicPrefix?: string;
  /** How often pending publishes are checked for delivery (ms). */
  readonly pollMs?: number;
}

/**
 * Wraps a publisher: each published event updates the metrics it implies, publish failures
 * are counted, the outbox gauges follow `stats()`, and publish latency (publish → delivered to
 * the log) is observed per event. Delivery is in publish order, so when `stats().delivered`
 * grows by k, the k oldest pending publishes were delivered.
 */
export function instrumentPublisher(inner: Publisher, m: JarvisMetrics, options: InstrumentOptions): Publisher {
  const pending: Array<{ at: bigint; topic: string }> = [];
  let delivered = inner.stats().delivered;
  let timer: NodeJS.Timeout | null = null;
  const prefix = options.topicPrefix ?? '';

  const settle = (): void => {
    const now = inner.stats().delivered;
    const done = Math.min(now - delivered, pending.length);
    delivered = now;
    const t = process.hrtime.bigint();
    for (const p of pending.splice(0, Math.max(0, done))) m.eventPublishDuration.observe({ log: options.log, topic: p.topic }, Number(t - p.at) / 1e9);
    if (pending.length === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };

  m.outboxDepth.track(() => inner.stats().outboxDepth);
  m.outboxCapacity.track(() => inner.stats().outboxCapacity);

  return {
    publish<T extends string, S extends z.ZodType>(def: EventDefinition<T, S>, data: z.infer<S>, meta: Parameters<Publisher['publish']>[2]): Envelope<T, z.infer<S>> {
      let envelope: Envelope<T, z.infer<S>>;
      try {
        envelope = inner.publish(def, data, meta);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        m.eventPublishErrors.inc({ log: options.log, reason: code === 'ERR_EVENT_LOG_UNAVAILABLE' ? 'outbox_full' : 'other' });
        throw err;
      }
      try {
        const topic = def.topic.startsWith(prefix) ? def.topic.slice(prefix.length) : def.topic;
        pending.push({ at: process.hrtime.bigint(), topic });
        if (!timer) {
          timer = setInterval(settle, options.pollMs ?? 10);
          timer.unref();
        }
        recordEvent(m, def.type, envelope.data as Data);
      } catch {
        // metrics never break publishing
      }
      return envelope;
    },
    flush: () => inner.flush(),
    drain: (timeoutMs) => inner.drain(timeoutMs),
    stats: () => inner.stats(),
    close: async () => {
      if (timer) clearInterval(timer);
      timer = null;
      await inner.close();
    },
  };
}

/** Projector lag of the in-process live views, sampled at scrape time. */
export function trackLiveState(m: JarvisMetrics, live: { lagEvents(): number; caughtUp(): boolean }, projection = 'live'): void {
  m.projectorLagEvents.track(() => [[{ projection }, live.lagEvents()]]);
  m.projectionRebuildProgress.track(() => [[{ projection }, live.caughtUp() ? 1 : 0]]);
}

/** The speech queue, sampled at scrape time from the TTS service's status. */
export function trackTtsQueue(m: JarvisMetrics, queue: () => { readonly active: number; readonly waiting: number; readonly max: number }): void {
  m.ttsQueueDepth.track(() => queue().waiting);
  m.ttsQueueCapacity.track(() => queue().max);
  m.ttsActiveJobs.track(() => queue().active);
}

/** What trackProjector reads from a running projector (src/projector/projector.ts). */
export interface ProjectorProbe {
  lag(): { readonly events: number; readonly seconds: number };
  stats(): { readonly applied: number };
  isReady(): boolean;
}

/**
 * Projector lag (events and seconds), applied events and readiness, sampled at scrape time.
 * The applied counter advances by the difference since the last scrape (it shows one scrape
 * later than the lag; counters cannot be set).
 */
export function trackProjector(m: JarvisMetrics, projector: ProjectorProbe, projection = 'projector'): void {
  let applied = projector.stats().applied;
  m.projectorLagEvents.track(() => [[{ projection }, projector.lag().events]]);
  m.projectorLagSeconds.track(() => {
    const now = projector.stats().applied;
    if (now > applied) m.projectorEventsApplied.inc({ projection }, now - applied);
    applied = now;
    return [[{ projection }, projector.lag().seconds]];
  });
  m.projectionRebuildProgress.track(() => [[{ projection }, projector.isReady() ? 1 : 0]]);
  m.projectorEventsApplied.inc({ projection }, 0);
}
