/**
 * A publisher decorator that keeps the event-pipeline metrics: the metrics each event implies
 * (event-metrics.ts), publish failures, the outbox gauges, and publish latency (publish →
 * delivered to the log) per event. Delivery is in publish order, so when `stats().delivered`
 * grows by k, the k oldest pending publishes were delivered.
 */
import type { z } from 'zod';
import type { Envelope, EventDefinition } from '../../events/index.ts';
import type { Publisher } from '../eventlog/publisher.ts';
import { recordEvent } from './event-metrics.ts';
import type { JarvisMetrics } from './metrics.ts';

type LogKind = 'embedded' | 'kafka';
type Data = Record<string, unknown>;

/** Publishes timed at once at most; the rest of a backlog is counted, not timed. */
const MAX_TIMED = 10_000;

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
  // Publish times in delivery order. Bounded: beyond MAX_TIMED, publishes are counted in a gap
  // entry and not timed, so an outage with a million queued events costs no memory here.
  const pending: Array<{ at: bigint; topic: string } | { gap: number }> = [];
  let timed = 0;
  let delivered = inner.stats().delivered;
  let timer: NodeJS.Timeout | null = null;
  const prefix = options.topicPrefix ?? '';

  const settle = (): void => {
    const now = inner.stats().delivered;
    let done = Math.max(0, now - delivered);
    delivered = now;
    const t = process.hrtime.bigint();
    while (done > 0 && pending.length > 0) {
      const head = pending[0] as { at: bigint; topic: string } | { gap: number };
      if ('gap' in head) {
        const n = Math.min(head.gap, done);
        head.gap -= n;
        done -= n;
        if (head.gap === 0) pending.shift();
        continue;
      }
      pending.shift();
      timed--;
      done--;
      m.eventPublishDuration.observe({ log: options.log, topic: head.topic }, Number(t - head.at) / 1e9);
    }
    if (pending.length === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };

  const remember = (topic: string): void => {
    const last = pending[pending.length - 1];
    if (timed < MAX_TIMED) {
      pending.push({ at: process.hrtime.bigint(), topic });
      timed++;
    } else if (last && 'gap' in last) last.gap++;
    else pending.push({ gap: 1 });
    if (!timer) {
      timer = setInterval(settle, options.pollMs ?? 10);
      timer.unref();
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
        remember(def.topic.startsWith(prefix) ? def.topic.slice(prefix.length) : def.topic);
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

