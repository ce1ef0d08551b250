/**
 * POST /audio/stream, GET /audio/stream/{request_id} and POST /v1/audio/speech (OpenAI's
 * shape): audio streamed while it is synthesized. A client that goes away aborts the job; an
 * engine failure mid-stream aborts the connection so a truncated file never looks whole.
 */
import { Transform, type Readable } from 'node:stream';
import { z } from 'zod';
import { fromOpenAiSpeech } from '../../tts/openai.ts';
import { SSE_CONTENT_TYPE, toSpeechSse } from '../../tts/sse.ts';
import { AudioStreamRequest, OpenAiSpeechRequest } from '../../tts/schemas.ts';
import { httpErrors } from '../errors.ts';
import type { StreamRegistry } from '../stream-registry.ts';
import type { StreamSlots } from '../stream-slots.ts';
import type { JarvisContext, RouteSpec } from '../state.ts';
import type { RouteDeps } from './deps.ts';
import type { SpeechPort, SpeechRequest } from './speech-port.ts';

/** Pipes synthesized audio to the client, counting bytes, aborting on either side's failure. */
export async function sendSpeech(ctx: JarvisContext, speech: SpeechPort, req: SpeechRequest, slots: StreamSlots, asSse = false): Promise<void> {
  const principal = ctx.state.principal!;
  const release = await slots.acquire(principal.id);
  const abort = new AbortController();
  const onClose = () => {
    if (!ctx.res.writableFinished) abort.abort();
    release();
  };
  ctx.res.once('close', onClose);
  let result: { contentType: string; stream: Readable };
  try {
    result = await speech.speak(req, { requestId: ctx.state.requestId, principal: principal.id, traceparent: ctx.state.traceparent, signal: abort.signal });
  } catch (err) {
    ctx.res.off('close', onClose);
    release();
    throw err;
  }
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      ctx.state.bytesOut = sent;
      cb(null, chunk);
    },
  });
  const source = asSse ? toSpeechSse(result.stream) : result.stream;
  source.once('error', (err) => {
    counter.destroy(err);
    ctx.res.destroy(); // the client must see a broken transfer, not a short file
  });
  ctx.status = 200;
  ctx.type = asSse ? SSE_CONTENT_TYPE : result.contentType;
  ctx.set('X-Accel-Buffering', 'no');
  ctx.body = source.pipe(counter);
}

export function audioRoutes(deps: RouteDeps & { speech: SpeechPort; streams: StreamRegistry; slots: StreamSlots }): RouteSpec[] {
  const { speech, streams, slots, clock } = deps;
  const audioResponse = { '200': { description: 'Audio, streamed (chunked) while it is synthesized.', contentType: 'audio/wav' } };
  return [
    {
      method: 'POST',
      path: '/audio/stream',
      access: 'stream',
      tier: 'stream',
      summary: 'Speak a text; the audio streams while it is synthesized. `pcm` is audio/L16 (big-endian) with its rate in the content type.',
      body: AudioStreamRequest,
      responses: audioResponse,
      async handler(ctx) {
        const b = ctx.state.body as z.infer<typeof AudioStreamRequest>;
        await sendSpeech(ctx, speech, { text: b.text, format: b.format, chunkSize: b.chunk_size, voice: b.voice, speed: b.speed }, slots);
      },
    },
    {
      method: 'GET',
      path: '/audio/stream/:request_id',
      access: 'stream',
      tier: 'stream',
      summary: 'The audio of a chat answer (from `stream_url`/`audio_url`), for the principal that asked, until it expires.',
      query: z.strictObject({ format: z.enum(['wav', 'pcm', 'mp3', 'opus']).optional(), chunk_size: z.string().regex(/^\d{3,5}$/).optional() }),
      responses: { ...audioResponse, '404': { description: 'Unknown, expired, or someone else’s.' } },
      async handler(ctx) {
        const q = ctx.state.query as { format?: 'wav' | 'pcm' | 'mp3' | 'opus'; chunk_size?: string };
        const chunk = q.chunk_size ? Number(q.chunk_size) : 8192;
        if (chunk < 512 || chunk > 65536) throw httpErrors.validation([{ path: 'chunk_size', message: 'must be between 512 and 65536' }]);
        const entry = await streams.find(ctx.params.request_id ?? '', ctx.state.principal!.id, clock.now());
        if (!entry) throw httpErrors.notFound('No such audio stream (it may have expired).');
        await sendSpeech(ctx, speech, { text: entry.text, format: q.format ?? 'wav', chunkSize: chunk, voice: entry.voice, speed: 1 }, slots);
      },
    },
    {
      method: 'POST',
      path: '/v1/audio/speech',
      access: 'stream',
      tier: 'stream',
      summary: "OpenAI's speech endpoint shape, so OpenAI SDK clients work by changing their base URL.",
      body: OpenAiSpeechRequest,
      responses: audioResponse,
      async handler(ctx) {
        const b = ctx.state.body as z.infer<typeof OpenAiSpeechRequest>;
        const r = fromOpenAiSpeech(b, speech.ffmpeg ?? false);
        await sendSpeech(ctx, speech, { text: r.text, format: r.format ?? 'mp3', chunkSize: r.chunkSize ?? 8192, voice: r.voice, speed: r.speed ?? 1 }, slots, b.stream_format === 'sse');
      },
    },
  ];
}
