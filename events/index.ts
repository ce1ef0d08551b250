/**
 * The event catalog: every event type and topic, in one place.
 * `npm run events:generate` writes JSON Schemas and the AsyncAPI document from it.
 */
import type { z } from 'zod';
import type { EventDefinition } from './define.ts';
import * as admin from './admin.ts';
import * as auth from './auth.ts';
import * as chat from './chat.ts';
import * as http from './http.ts';
import * as security from './security.ts';
import * as sessions from './sessions.ts';
import * as tts from './tts.ts';

export * from './admin.ts';
export * from './auth.ts';
export * from './chat.ts';
export * from './http.ts';
export * from './security.ts';
export * from './sessions.ts';
export * from './tts.ts';
export * from './envelope.ts';
export { Permission } from './define.ts';
export type { EventDefinition } from './define.ts';

/** Topics with their partition key, default partitions and retention (Kafka `retention.ms`). */
export const TOPICS = {
  [auth.AUTH_TOPIC]: { key: 'client IP', partitions: 6, retentionMs: 7 * 86_400_000, description: 'Authentication and authorization decisions.' },
  [http.HTTP_TOPIC]: { key: 'client IP', partitions: 6, retentionMs: 2 * 86_400_000, description: 'Finished requests, rate-limit verdicts and refused input.' },
  [sessions.SESSIONS_TOPIC]: { key: 'session id', partitions: 3, retentionMs: 30 * 86_400_000, description: 'JWT sessions: started, refreshed, revoked, expired.' },
  [admin.ADMIN_TOPIC]: { key: 'key id or block id', partitions: 1, retentionMs: -1, description: 'Key registry and IP block list (kept forever: they are rebuilt from here).' },
  [tts.TTS_TOPIC]: { key: 'job id', partitions: 3, retentionMs: 7 * 86_400_000, description: 'Speech-synthesis jobs.' },
  [chat.CHAT_TOPIC]: { key: 'conversation id', partitions: 3, retentionMs: 7 * 86_400_000, description: 'Chat turns.' },
  [security.SECURITY_TOPIC]: { key: 'client IP or principal', partitions: 3, retentionMs: 365 * 86_400_000, description: 'The SECURITY_EVENT audit stream.' },
} as const;
export type Topic = keyof typeof TOPICS;

type AnyDef = EventDefinition<string, z.ZodType>;
const modules = [admin, auth, chat, http, sessions, tts];

function isDefinition(v: unknown): v is AnyDef {
  return typeof v === 'object' && v !== null && 'type' in v && 'topic' in v && 'data' in v && 'description' in v;
}

/** Every event definition, by CloudEvents type. */
export const CATALOG: ReadonlyMap<string, AnyDef> = new Map(
  [...modules.flatMap((m) => Object.values(m).filter(isDefinition)), ...Object.values(security.SecurityEvents), security.ChainHeadPublished].map((d) => [d.type, d as AnyDef]),
);

/** The data type of an event definition. */
export type DataOf<D> = D extends EventDefinition<string, infer S> ? z.infer<S> : never;
