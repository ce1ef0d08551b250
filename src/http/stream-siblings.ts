/**
 * Stream URLs across the workers of one instance: when the entry is not here, the other
 * workers are asked (src/cluster/siblings.ts). The holder checks the principal and the expiry
 * as it would for its own request, then relays the text piece by piece — also while the answer
 * is still being generated — and the asking worker synthesizes the audio.
 */
import type { Payload, SiblingBus } from '../cluster/siblings.ts';
import type { PendingSpeech, StreamRegistry } from './stream-registry.ts';

const TOPIC = 'stream-url';

interface Query { readonly requestId: string; readonly principal: string }
interface Held { readonly expiresAt: number; readonly voice: string | null }

export function withSiblings(local: StreamRegistry, bus: SiblingBus, opts: { now: () => number }): StreamRegistry {
  bus.answer(TOPIC, (query) => {
    const q = query as unknown as Query;
    const entry = local.take(q.requestId, q.principal, opts.now());
    if (!entry) return undefined;
    return { payload: { expiresAt: entry.expiresAt, voice: entry.voice ?? null } satisfies Held, text: entry.text };
  });
  return {
    put: (requestId, entry) => local.put(requestId, entry),
    take: (requestId, principal, nowMs) => local.take(requestId, principal, nowMs),
    size: () => local.size(),
    async find(requestId, principal, nowMs): Promise<PendingSpeech | undefined> {
      const here = local.take(requestId, principal, nowMs);
      if (here) return here;
      const found = await bus.ask(TOPIC, { requestId, principal } satisfies Query as unknown as Payload);
      if (!found?.text) return undefined;
      const held = found.payload as unknown as Held;
      // The holder checked the principal: the entry is this caller's.
      return { principal, expiresAt: held.expiresAt, text: found.text, ...(held.voice !== null && { voice: held.voice }) };
    },
  };
}
