/**
 * A loopback stand-in for an OpenAI-compatible chat-completions server (DeepSeek, Ollama,
 * llama.cpp, vLLM all speak it): POST /v1/chat/completions (JSON, or `data:` chunks of
 * `chat.completion.chunk` ending with a usage chunk when `stream_options.include_usage`, then
 * `data: [DONE]`), GET /v1/models, errors as `{error:{message, type, param, code}}`.
 * The same routes answer without the /v1 prefix (DeepSeek's base URL has none).
 *
 *   const o = await startOpenAIStandIn({ faults: ['rate_limited'] });
 *   // JARVIS_LOCAL_LLM_URL=o.url   (ends in /v1)
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { pieces, replyFor, sendJson, sleep, type StandIn, type StandInOptions, startServer, tokens } from './chat-standin-common.ts';

export type { ChatFault, StandIn, StandInOptions } from './chat-standin-common.ts';

const ERRORS: Record<number, [string, string | null, string]> = {
  401: ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.'],
  404: ['invalid_request_error', null, 'Not found'],
  429: ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests.'],
  500: ['server_error', null, 'The server had an error while processing your request.'],
  503: ['server_error', null, 'The server is overloaded. Please try again later.'],
};

function sendError(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  const [type, code, message] = ERRORS[status] ?? ['server_error', null, 'Error'];
  sendJson(res, status, { error: { message, type, param: null, code } }, { 'x-request-id': randomBytes(8).toString('hex'), ...headers });
}

const strip = (path: string): string => (path.startsWith('/v1/') ? path.slice(3) : path);

/** Starts the stand-in on 127.0.0.1 (random port). `url` ends in /v1, as Ollama's does. */
export function startOpenAIStandIn(opts: StandInOptions = {}): Promise<StandIn> {
  const retryAfter = String(opts.retryAfterSeconds ?? 7);
  return startServer(
    opts,
    '/v1',
    async (req, res, rawBody, _record, fault) => {
      const path = strip((req.url ?? '/').split('?')[0]!);
      if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) return sendError(res, 401);
      if (req.method === 'GET' && path === '/models') {
        return sendJson(res, 200, { object: 'list', data: [{ id: opts.model ?? 'llama3.2', object: 'model', created: 1_700_000_000, owned_by: 'library' }] });
      }
      if (req.method !== 'POST' || path !== '/chat/completions') return sendError(res, 404);
      const body = (rawBody ?? {}) as { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean }; messages?: { content?: unknown }[] };

      if (fault === 'unauthorized') return sendError(res, 401);
      if (fault === 'server_error') return sendError(res, 500);
      if (fault === 'rate_limited') return sendError(res, 429, { 'retry-after': retryAfter, 'x-ratelimit-remaining-requests': '0' });
      if (fault === 'overloaded') return sendError(res, 503, { 'retry-after': retryAfter });
      if (fault === 'hang') return;

      const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
      const created = Math.floor(Date.now() / 1000);
      const model = body.model ?? opts.model ?? 'llama3.2';
      const text = replyFor(opts, rawBody);
      const parts = pieces(text);
      const usage = { prompt_tokens: tokens((body.messages ?? []).map((m) => String(m.content)).join('')), completion_tokens: parts.length, total_tokens: 0 };
      usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;

      if (!body.stream) {
        if (fault === 'malformed') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.end('{"id": "chatcmpl-1", "choices": [{"message": ');
        }
        const json = JSON.stringify({ id, object: 'chat.completion', created, model, system_fingerprint: 'fp_standin', choices: [{ index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: 'stop' }], usage });
        if (fault === 'cut' || fault === 'cut_after_text') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(json)) });
          res.write(json.slice(0, Math.floor(json.length / 2)));
          return void setTimeout(() => res.destroy(), 20);
        }
        return sendJson(res, 200, JSON.parse(json));
      }

      const withUsage = body.stream_options?.include_usage === true;
      const chunk = (delta: object, finish: string | null) => ({
        id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_standin',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...(withUsage && { usage: null }),
      });
      const send = (data: unknown): void => void res.write(`data: ${JSON.stringify(data)}\n\n`);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      if (fault === 'malformed') {
        res.write('data: {"id": "chatcmpl-1", "choices": [\n\n');
        return void res.end();
      }
      send(chunk({ role: 'assistant', content: '' }, null));
      if (fault === 'stream_error') {
        send({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } });
        return void res.end();
      }
      if (fault === 'cut') return void setTimeout(() => res.destroy(), 20);
      for (const [i, piece] of parts.entries()) {
        if (opts.chunkDelayMs) await sleep(opts.chunkDelayMs);
        if (res.destroyed) return;
        send(chunk({ content: piece }, null));
        if (fault === 'cut_after_text' && i === Math.floor(parts.length / 2)) return void setTimeout(() => res.destroy(), 20);
        if (fault === 'stall_after_text' && i === Math.floor(parts.length / 2)) return; // silent, connection left open
      }
      send(chunk({}, 'stop'));
      if (withUsage) send({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_standin', choices: [], usage });
      res.write('data: [DONE]\n\n');
      res.end();
    },
    (method, path) => method === 'POST' && strip(path) === '/chat/completions',
  );
}
