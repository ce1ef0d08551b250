/**
 * Conversations across the workers of one instance: a turn naming a conversation this worker
 * does not hold asks the other workers (src/cluster/siblings.ts); the one holding it releases it
 * after the same owner and age checks as a local turn, and this worker adopts it. The next turn
 * may land anywhere again, and the conversation moves again. Unknown, expired or someone else's
 * stays a 404, decided by `open` as before.
 */
import type { Payload, SiblingBus } from '../cluster/siblings.ts';
import type { ConversationStore, Handover } from './conversations.ts';

const TOPIC = 'conversation';

interface Query { readonly id: string; readonly principal: string }

/** Answers the siblings' asks from `store`; returns what a turn calls before opening a conversation. */
export function shareConversations(store: ConversationStore, bus: SiblingBus): (id: string | undefined, principal: string) => Promise<void> {
  bus.answer(TOPIC, (query) => {
    const q = query as unknown as Query;
    const h = store.release(q.id, q.principal);
    return h ? { payload: h as unknown as Payload } : undefined;
  });
  return async (id, principal) => {
    if (id === undefined || store.has(id)) return;
    const found = await bus.ask(TOPIC, { id, principal } satisfies Query as unknown as Payload);
    if (found) store.adopt(id, found.payload as unknown as Handover);
  };
}
