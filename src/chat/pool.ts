/**
 * The configured providers with their breakers and availability: who to try, in what order,
 * and the bookkeeping after each attempt. The service decides what to do with the verdicts.
 */
import { type ChatConfig, PROVIDER_NAMES } from '../config/chat.ts';
import type { Clock } from '../shared/clock.ts';
import { createAvailability } from './availability.ts';
import { type Breaker, createBreaker } from './breaker.ts';
import { noProvider, providerNotConfigured } from './errors.ts';
import { countsAgainstProvider, type ProviderFailure } from './failure.ts';
import type { ChatLogger, ChatObserver, ChatProvider, ProviderName, ProviderStatus } from './types.ts';

export interface ProviderPool {
  /** The providers to try for a request: the requested one first, then the configured order. */
  candidates(requested: ProviderName | undefined): ChatProvider[];
  breaker(p: ChatProvider): Breaker;
  /** Books a provider skipped because its breaker is open. */
  skipped(p: ChatProvider): void;
  succeeded(p: ChatProvider, seconds: number, fallbacks: readonly { provider: ProviderName }[]): void;
  failed(p: ChatProvider, f: ProviderFailure, seconds: number, requestId: string): void;
  statuses(): ProviderStatus[];
  refresh(): Promise<void>;
  close(): void;
}

export function createProviderPool(cfg: ChatConfig, providers: Map<string, ChatProvider>, clock: Clock, observer: ChatObserver, logger: ChatLogger | undefined): ProviderPool {
  const breakers = new Map<string, Breaker>();
  for (const p of providers.values()) {
    breakers.set(p.name, createBreaker({ failures: cfg.breakerFailures, cooldownMs: cfg.breakerCooldownMs, clock, onChange: (s) => guard(() => observer.breakerChanged?.(p.name, s)) }));
  }
  const availability = createAvailability({ clock, ttlMs: cfg.probeTtlMs, timeoutMs: Math.min(cfg.timeoutMs, 2000) });
  const ordered = cfg.order.map((n) => providers.get(n)).filter((p): p is ChatProvider => p !== undefined);

  return {
    candidates(requested) {
      if (ordered.length === 0) throw noProvider();
      if (requested === undefined) return [...ordered];
      const first = providers.get(requested);
      if (!first) throw providerNotConfigured(requested, ordered.map((p) => p.name));
      return [first, ...ordered.filter((p) => p !== first)];
    },
    breaker: (p) => breakers.get(p.name)!,
    skipped: (p) => guard(() => observer.attempt?.(p.name, 'circuit_open', 0)),
    succeeded(p, seconds, fallbacks) {
      breakers.get(p.name)!.success();
      availability.observed(p, true);
      guard(() => observer.attempt?.(p.name, 'ok', seconds));
      for (const f of fallbacks) guard(() => observer.fallback?.(f.provider, p.name));
    },
    failed(p, f, seconds, requestId) {
      const b = breakers.get(p.name)!;
      if (countsAgainstProvider(f.reason)) b.failure();
      else b.release();
      guard(() => observer.attempt?.(p.name, f.reason, seconds));
      if (f.reason !== 'cancelled') logger?.warn({ provider: p.name, reason: f.reason, upstream_status: f.upstreamStatus, request_id: requestId }, 'chat provider attempt failed');
    },
    statuses() {
      const out: ProviderStatus[] = ordered.map((p) => {
        const breaker = breakers.get(p.name)!.state();
        const probe = availability.lastProbe(p);
        return { name: p.name, configured: true, available: breaker !== 'open' && probe !== false, breaker, model: p.model };
      });
      for (const name of PROVIDER_NAMES) {
        if (!out.some((s) => s.name === name)) out.push({ name, configured: false, available: false, breaker: 'closed', model: null });
      }
      return out;
    },
    refresh: () => availability.refresh(ordered),
    close: () => availability.close(),
  };
}

/** Telemetry never breaks a request. */
function guard(fn: () => void): void {
  try {
    fn();
  } catch {
    // a failing metrics hook is not the caller's problem
  }
}
