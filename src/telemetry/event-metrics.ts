/**
 * The metrics a published event implies: every auth decision, rate-limit refusal, TTS job and
 * security event is an event on the log with the fields the metrics need, so counting them
 * where they are published needs no metric handles in the decisions themselves.
 */
import type { z } from 'zod';
import type { AuthReason } from '../../events/auth.ts';
import { SECURITY_EVENT_KINDS, type SecurityEventType } from '../../events/security.ts';
import type { JarvisMetrics } from './metrics.ts';

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

