/**
 * Conversation memory: a bounded history per conversation, owned by the principal that started
 * it, forgotten after `idleMs` without a turn or `maxAgeMs` after it began (the session rules),
 * or when the store is full (least recently used first). In memory, per process: a restart
 * forgets it (404, as for an expired one). The workers of one instance hand a conversation over
 * to the one serving its next turn (conversation-siblings.ts).
 */
import { AppError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import type { ChatMessage } from './types.ts';

export interface ConversationOptions {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly idleMs: number;
  readonly maxAgeMs: number;
  readonly maxTurns: number;
  readonly maxChars: number;
  readonly maxConversations: number;
}

interface Entry {
  readonly owner: string;
  readonly createdAt: number;
  history: ChatMessage[];
  lastUsed: number;
}

export interface ConversationStore {
  /** The id and history to use for a turn; a new conversation when `id` is undefined. Throws 404 for an unknown, expired or foreign id. */
  open(id: string | undefined, principal: string): { id: string; history: readonly ChatMessage[] };
  /** Records a finished turn (question and answer) and trims the history to its bounds. */
  append(id: string, principal: string, user: string, assistant: string): void;
  has(id: string): boolean;
  /** Removes and returns a conversation of `principal` that is still alive (to hand it to another worker). */
  release(id: string, principal: string): Handover | undefined;
  /** Takes a conversation another worker released. */
  adopt(id: string, handover: Handover): void;
  size(): number;
}

/** A conversation in transit between workers. */
export interface Handover {
  readonly owner: string;
  readonly createdAt: number;
  readonly lastUsed: number;
  readonly history: readonly ChatMessage[];
}

function notFound(): AppError {
  // The same answer for "never existed", "expired" and "someone else's": no way to probe for ids.
  return new AppError('ERR_CONVERSATION_NOT_FOUND', { status: 404, title: 'Conversation not found', detail: 'No such conversation for this caller; it may have expired. Omit conversation_id to start a new one.' });
}

/** Creates an empty in-memory store. */
export function createConversationStore(opts: ConversationOptions): ConversationStore {
  // Map iteration order is insertion order: re-inserting on use keeps it least-recently-used first.
  const entries = new Map<string, Entry>();

  const sweep = (now: number): void => {
    for (const [id, e] of entries) {
      if (now - e.lastUsed < opts.idleMs) break;
      entries.delete(id);
    }
  };
  /** The entry when it exists, belongs to `principal` and is within its age (an expired one is dropped). */
  const alive = (id: string, principal: string, now: number): Entry | undefined => {
    const e = entries.get(id);
    if (e && now - e.createdAt >= opts.maxAgeMs) entries.delete(id);
    if (!e || e.owner !== principal || now - e.createdAt >= opts.maxAgeMs) return undefined;
    return e;
  };
  const touch = (id: string, e: Entry, now: number): void => {
    e.lastUsed = now;
    entries.delete(id);
    entries.set(id, e);
  };

  return {
    open(id, principal) {
      const now = opts.clock.now();
      sweep(now);
      if (id === undefined) {
        let fresh = `conv_${opts.ids.short(12)}`;
        while (entries.has(fresh)) fresh = `conv_${opts.ids.short(12)}`;
        while (entries.size >= opts.maxConversations) {
          const oldest = entries.keys().next().value;
          if (oldest === undefined) break;
          entries.delete(oldest);
        }
        entries.set(fresh, { owner: principal, createdAt: now, history: [], lastUsed: now });
        return { id: fresh, history: [] };
      }
      const e = alive(id, principal, now);
      if (!e) throw notFound();
      touch(id, e, now);
      return { id, history: [...e.history] };
    },

    append(id, principal, user, assistant) {
      const e = entries.get(id);
      if (!e || e.owner !== principal) return; // expired while the provider answered: nothing to keep
      const history = [...e.history, { role: 'user' as const, content: user }, { role: 'assistant' as const, content: assistant }];
      // Whole turns only, so the history always starts with a user message (Anthropic requires it).
      let start = Math.max(0, history.length - opts.maxTurns * 2);
      let chars = history.slice(start).reduce((n, m) => n + m.content.length, 0);
      while (start < history.length && chars > opts.maxChars) {
        chars -= history[start]!.content.length + history[start + 1]!.content.length;
        start += 2;
      }
      e.history = history.slice(start);
      touch(id, e, opts.clock.now());
    },

    has: (id) => entries.has(id),

    release(id, principal) {
      const now = opts.clock.now();
      sweep(now);
      const e = alive(id, principal, now);
      if (!e) return undefined;
      entries.delete(id);
      return { owner: e.owner, createdAt: e.createdAt, lastUsed: e.lastUsed, history: e.history };
    },

    adopt(id, h) {
      while (entries.size >= opts.maxConversations) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      entries.set(id, { owner: h.owner, createdAt: h.createdAt, lastUsed: h.lastUsed, history: [...h.history] });
    },

    size: () => entries.size,
  };
}
