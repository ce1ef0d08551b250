/** What route handlers are given by the composition root. */
import type { Config } from '../../config/config.ts';
import type { JwtService } from '../../auth/jwt.ts';
import type { Publisher } from '../../eventlog/publisher.ts';
import type { Clock } from '../../shared/clock.ts';
import type { IdGenerator } from '../../shared/ids.ts';
import type { LocalEffects } from '../overlay.ts';
import type { Readiness } from '../views.ts';

/** The parts of /status that come from services outside the HTTP layer. */
export interface StatusSource {
  /** Real availability of each configured provider (breaker plus a cheap, cached probe). */
  aiProviders(): Promise<Record<string, boolean>>;
  ttsEngine(): string;
  ttsVoice(): string;
  eventLog(): Record<string, unknown>;
  /** Each provider in fallback order, with its breaker state and model. */
  providerDetails(): readonly { name: string; configured: boolean; available: boolean; breaker: string; model: string | null }[];
}

export interface RouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly publisher: Publisher;
  readonly jwt: JwtService;
  readonly effects: LocalEffects;
  readonly readiness: Readiness;
  readonly status: StatusSource;
  /** Epoch ms when the process started (for uptime). */
  readonly startedAt: number;
  /** Reports an unexpected error for central logging. */
  readonly onError?: (err: unknown) => void;
}
