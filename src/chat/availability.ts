/**
 * Real availability for /status: a provider is available when its breaker is not open and its
 * last cheap probe (listing models) succeeded. Probe results are reused for `ttlMs`, and at most
 * one probe per provider is in flight, so /status can be polled without loading the upstream.
 */
import type { Clock } from '../shared/clock.ts';
import type { ChatProvider } from './types.ts';

interface ProbeState {
  ok: boolean | null;
  at: number;
  inFlight: Promise<void> | null;
}

export interface Availability {
  /** The last probe's verdict (null: never probed); starts a refresh in the background when stale. */
  lastProbe(provider: ChatProvider): boolean | null;
  /** Probes every stale provider now and waits (bounded by `timeoutMs`). */
  refresh(providers: Iterable<ChatProvider>): Promise<void>;
  /** A real answer from the provider counts as a successful probe. */
  observed(provider: ChatProvider, ok: boolean): void;
  close(): void;
}

export function createAvailability(opts: { clock: Clock; ttlMs: number; timeoutMs: number }): Availability {
  const states = new Map<string, ProbeState>();
  const controllers = new Set<AbortController>();
  let closed = false;

  const stateOf = (p: ChatProvider): ProbeState => {
    let s = states.get(p.name);
    if (!s) states.set(p.name, (s = { ok: null, at: -Infinity, inFlight: null }));
    return s;
  };
  const probe = (p: ChatProvider): Promise<void> => {
    const s = stateOf(p);
    if (s.inFlight || closed) return s.inFlight ?? Promise.resolve();
    const ctl = new AbortController();
    controllers.add(ctl);
    const timer = setTimeout(() => ctl.abort(), opts.timeoutMs);
    s.inFlight = p
      .probe(ctl.signal)
      .then(
        () => true,
        () => false,
      )
      .then((ok) => {
        s.ok = ok;
        s.at = opts.clock.now();
      })
      .finally(() => {
        clearTimeout(timer);
        controllers.delete(ctl);
        s.inFlight = null;
      });
    return s.inFlight;
  };
  const stale = (p: ChatProvider): boolean => opts.clock.now() - stateOf(p).at >= opts.ttlMs;

  return {
    lastProbe(p) {
      if (stale(p)) void probe(p);
      return stateOf(p).ok;
    },
    async refresh(providers) {
      await Promise.all([...providers].filter(stale).map(probe));
    },
    observed(p, ok) {
      const s = stateOf(p);
      s.ok = ok;
      s.at = opts.clock.now();
    },
    close() {
      closed = true;
      for (const c of controllers) c.abort();
    },
  };
}
