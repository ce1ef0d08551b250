/**
 * Request bodies of the speech endpoints, as zod 4 schemas: strict objects (unknown fields are
 * rejected), no coercion ("8192" is not a chunk_size), bounded lengths.
 */
import { z } from 'zod';

/** Longest text one request may speak (OpenAI's limit, kept for every endpoint). */
export const MAX_TEXT = 4096;

const speakable = (s: string) => /[\p{L}\p{N}]/u.test(s);
const VoiceName = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.+-]+$/, 'letters, digits and . _ + - only');
const Speed = z.number().min(0.25).max(4);

/** POST /audio/stream */
export const AudioStreamRequest = z.strictObject({
  text: z.string().min(1).max(MAX_TEXT).refine(speakable, 'must contain something to say'),
  chunk_size: z.int().min(512).max(65536).default(8192),
  format: z.enum(['wav', 'pcm', 'mp3', 'opus']).default('wav'),
  voice: VoiceName.optional(),
  speed: Speed.default(1),
});
export type AudioStreamRequest = z.infer<typeof AudioStreamRequest>;

/** OpenAI's built-in voice names; any of them speaks with this server's configured voice. */
export const OPENAI_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar'] as const;

/**
 * POST /v1/audio/speech: OpenAI's CreateSpeechRequest. `model` is any string (OpenAI's names
 * are accepted; this server has one engine), `voice` a name or `{id}`, `response_format`
 * defaults to mp3 and `stream_format` to audio, as in OpenAI's API reference.
 */
export const OpenAiSpeechRequest = z.strictObject({
  model: z.string().min(1).max(64),
  input: z.string().min(1).max(MAX_TEXT).refine(speakable, 'must contain something to say'),
  voice: z.union([VoiceName, z.strictObject({ id: VoiceName })]),
  instructions: z.string().max(MAX_TEXT).optional(),
  response_format: z.enum(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm']).default('mp3'),
  speed: Speed.default(1),
  stream_format: z.enum(['audio', 'sse']).default('audio'),
});
export type OpenAiSpeechRequest = z.infer<typeof OpenAiSpeechRequest>;
