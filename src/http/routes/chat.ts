/**
 * POST /chat: one turn with the assistant. JSON by default; with `Accept: text/event-stream`
 * the answer streams as Server-Sent Events (`delta` events, then one `done` with usage and the
 * request id). `use_tts` adds an `audio_url`, `stream_audio` a `stream_url` whose audio starts
 * with the first complete sentence, even while the answer is still being generated.
 */
import type { ChatService } from '../../chat/service.ts';
import { ChatRequestSchema, type ChatRequest } from '../../chat/schemas.ts';
import { isAppError } from '../../shared/errors.ts';
import { textFeed } from '../../shared/text-feed.ts';
import { once, type StreamRegistry } from '../stream-registry.ts';
import type { JarvisContext, RouteSpec } from '../state.ts';
import type { RouteDeps } from './deps.ts';

function wantsEventStream(ctx: JarvisContext): boolean {
  return (ctx.get('accept') || '').toLowerCase().includes('text/event-stream');
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function chatRoutes(deps: RouteDeps & { chat: ChatService; streams: StreamRegistry }): RouteSpec[] {
  const { chat, streams, clock, config } = deps;
  const audioPath = (id: string) => `/audio/stream/${encodeURIComponent(id)}`;

  async function streamAnswer(ctx: JarvisContext, body: ChatRequest): Promise<void> {
    const s = ctx.state;
    const abort = new AbortController();
    ctx.res.once('close', () => { if (!ctx.res.writableFinished) abort.abort(); });
    const iterator = chat.stream(body, { requestId: s.requestId, principal: s.principal!.id, traceparent: s.traceparent, signal: abort.signal })[Symbol.asyncIterator]();
    // The first step throws every failure that happens before text: it can still be a problem+json.
    const first = await iterator.next();
    const feed = body.use_tts || body.stream_audio ? textFeed() : null;
    if (feed) streams.put(s.requestId, { principal: s.principal!.id, expiresAt: clock.now() + config.http.streamUrlTtlMs, text: feed.iterable });
    ctx.status = 200;
    ctx.type = 'text/event-stream';
    ctx.set('X-Accel-Buffering', 'no');
    ctx.respond = false;
    const res = ctx.res;
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    const urls = feed ? (body.stream_audio ? { stream_url: audioPath(s.requestId) } : { audio_url: audioPath(s.requestId) }) : {};
    res.write(sse('start', { request_id: s.requestId, ...urls }));
    try {
      for (let step = first; !step.done; step = await iterator.next()) {
        const ev = step.value;
        if (ev.type === 'delta') {
          feed?.push(ev.text);
          res.write(sse('delta', { text: ev.text }));
        } else {
          feed?.end();
          res.write(sse('done', { request_id: s.requestId, provider: ev.provider, model: ev.model, conversation_id: ev.conversation_id, usage: ev.usage, ...urls }));
        }
      }
    } catch (err) {
      feed?.fail(err instanceof Error ? err : new Error('chat failed'));
      const code = isAppError(err) ? err.code : 'ERR_INTERNAL';
      s.errorCode = code;
      if (!isAppError(err)) deps.onError?.(err);
      if (!res.writableEnded) res.write(sse('error', { request_id: s.requestId, code, title: isAppError(err) ? err.title : 'Internal server error' }));
    }
    res.end();
  }

  return [
    {
      method: 'POST',
      path: '/chat',
      access: 'chat',
      tier: 'api',
      summary: 'Chat with the assistant. JSON, or Server-Sent Events with Accept: text/event-stream. stream_audio:true also needs the stream permission.',
      body: ChatRequestSchema,
      extraPermissions: (b) => ((b as ChatRequest).stream_audio || (b as ChatRequest).use_tts ? ['stream'] : []),
      responses: {
        '200': { description: 'The answer: {request_id, response, provider, model, conversation_id, usage?, audio_url?, stream_url?}; or an SSE stream.' },
        '404': { description: 'conversation_id belongs to someone else or has expired.' },
        '503': { description: 'No provider is configured or available (the problem names the variable to set).' },
      },
      async handler(ctx) {
        const body = ctx.state.body as ChatRequest;
        if (wantsEventStream(ctx)) return streamAnswer(ctx, body);
        const s = ctx.state;
        const abort = new AbortController();
        ctx.req.once('close', () => { if (!ctx.res.writableFinished && ctx.req.destroyed) abort.abort(); });
        const result = await chat.chat(body, { requestId: s.requestId, principal: s.principal!.id, traceparent: s.traceparent, signal: abort.signal });
        const answer: Record<string, unknown> = { request_id: s.requestId, ...result };
        if (body.use_tts || body.stream_audio) {
          streams.put(s.requestId, { principal: s.principal!.id, expiresAt: clock.now() + config.http.streamUrlTtlMs, text: once(result.response) });
          answer[body.stream_audio ? 'stream_url' : 'audio_url'] = audioPath(s.requestId);
        }
        ctx.body = answer;
      },
    },
  ];
}
