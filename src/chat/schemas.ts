/** The POST /chat body: strict (unknown fields rejected), no coercion. */
import { z } from 'zod';
import type { ProviderName } from '../config/chat.ts';

export const MAX_CHAT_TEXT = 32_000;

/** Conversation ids are opaque, URL-safe and short enough for an event key. */
export const ConversationId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'only letters, digits, "_" and "-"');

export const ChatRequestSchema = z.strictObject({
  text: z.string().min(1).max(MAX_CHAT_TEXT),
  use_tts: z.boolean().optional(),
  stream_audio: z.boolean().optional(),
  provider: z.enum(['local', 'anthropic', 'deepseek'] as const satisfies readonly ProviderName[]).optional(),
  conversation_id: ConversationId.optional(),
});

/** A validated POST /chat body. */
export type ChatRequest = z.infer<typeof ChatRequestSchema>;
