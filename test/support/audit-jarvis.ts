/**
 * A whole Jarvis for audit and CLI tests: startTestJarvis with the audit log as src/main.ts
 * mounts it, tuned to settle fast, plus waiting helpers.
 */
import { AppError } from '../../src/shared/errors.ts';
import type { Audit } from '../../src/audit/service.ts';
import type { SpeechPort } from '../../src/http/routes/speech-port.ts';
import type { Projector } from '../../src/projector/projector.ts';
import { createLogger, type Logger } from '../../src/telemetry/logger.ts';
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
  const base = await startTestJarvis(
    { JARVIS_BRUTE_FORCE_THRESHOLD: '1000', JARVIS_AUDIT_HEAD_EVERY: '1h', ...env },
    { logger, speech: noSpeech, tuning: { settleMs: 100, housekeepingMs: 0, auditLive: { heartbeatMs: 300, pollMs: 100 } } },
  );
  if (!base.jarvis.projector) throw new Error('the audit harness needs JARVIS_PROJECTOR=inprocess');
  const self: AuditJarvis = {
    url: base.url,
    dataDir: base.dataDir,
    base,
    audit: base.jarvis.audit,
    projector: base.jarvis.projector,
    fetch: (p, init) => base.fetch(p, init),
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
    close: () => base.close(),
  };
  return self;
}
