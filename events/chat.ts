/** Topic `jarvis.chat`: every chat turn. Keyed by conversation id. Prompt and answer texts only with JARVIS_LOG_CONTENT=true. */
import { z } from 'zod';
import { defineEvent, KeyId, RequestId } from './define.ts';

export const CHAT_TOPIC = 'jarvis.chat';

const Turn = {
  request_id: RequestId,
  conversation_id: z.string().max(64),
  principal: KeyId.nullable(),
};

export const ChatRequested = defineEvent({
  type: 'jarvis.chat.chat_requested.v1',
  topic: CHAT_TOPIC,
  description: 'A chat turn was accepted.',
  data: z.object({ ...Turn, provider_requested: z.string().max(32).nullable(), characters: z.number().int().nonnegative(), text: z.string().optional() }),
});

export const ChatCompleted = defineEvent({
  type: 'jarvis.chat.chat_completed.v1',
  topic: CHAT_TOPIC,
  description: 'A provider answered the turn.',
  data: z.object({
    ...Turn,
    provider: z.string().max(32),
    model: z.string().max(128),
    latency_ms: z.number().nonnegative(),
    time_to_first_token_ms: z.number().nonnegative().nullable(),
    input_tokens: z.number().int().nonnegative().nullable(),
    output_tokens: z.number().int().nonnegative().nullable(),
    fallbacks: z.array(z.object({ provider: z.string().max(32), reason: z.string().max(64) })),
    streamed: z.boolean(),
    text: z.string().optional(),
  }),
});

export const ChatFailed = defineEvent({
  type: 'jarvis.chat.chat_failed.v1',
  topic: CHAT_TOPIC,
  description: 'Every provider failed or none is configured.',
  data: z.object({
    ...Turn,
    error_code: z.string().max(64),
    latency_ms: z.number().nonnegative(),
    fallbacks: z.array(z.object({ provider: z.string().max(32), reason: z.string().max(64) })),
  }),
});
