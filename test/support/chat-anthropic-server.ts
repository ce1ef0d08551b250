/**
 * A loopback stand-in for the Anthropic Messages API, speaking its wire protocol: POST
 * /v1/messages (JSON, or SSE with message_start, content_block_start, ping, content_block_delta,
 * content_block_stop, message_delta, message_stop), GET /v1/models, the error body
 * `{type:"error", error:{type, message}, request_id}` with `request-id` headers, 429 with
 * `retry-after`, 529 `overloaded_error`. Faults: see ChatFault.
 *
 *   const a = await startAnthropicStandIn({ reply: 'Hi.', faults: ['overloaded'] });
 *   // ANTHROPIC_BASE_URL=a.url ANTHROPIC_API_KEY=anything
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { pieces, replyFor, sendJson, sleep, type StandIn, type StandInOptions, startServer, tokens } from './chat-standin-common.ts';

export type { ChatFault, StandIn, StandInOptions } from './chat-standin-common.ts';

const ERRORS: Record<number, [string, string]> = {
  401: ['authentication_error', 'invalid x-api-key'],
  404: ['not_found_error', 'Not found'],
  429: ['rate_limit_error', 'Number of requests has exceeded your per-minute rate limit.'],
  500: ['api_error', 'Internal server error'],
  529: ['overloaded_error', 'Overloaded'],
};

const requestId = (): string => `req_${randomBytes(12).toString('hex')}`;

function sendError(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  const [type, message] = ERRORS[status] ?? ['api_error', 'Error'];
  const id = requestId();
  sendJson(res, status, { type: 'error', error: { type, message }, request_id: id }, { 'request-id': id, 'x-should-retry': String(status >= 429), ...headers });
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function inputTokens(body: { system?: unknown; messages?: { content?: unknown }[] }): number {
  const text = `${typeof body.system === 'string' ? body.system : ''}${(body.messages ?? []).map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))).join('')}`;
  return tokens(text);
}

/** Starts the stand-in on 127.0.0.1 (random port). `url` is the base URL (no /v1). */
export function startAnthropicStandIn(opts: StandInOptions = {}): Promise<StandIn> {
  const retryAfter = String(opts.retryAfterSeconds ?? 7);
  return startServer(
    opts,
    '',
    async (req, res, rawBody, _record, fault) => {
      const path = (req.url ?? '/').split('?')[0];
      // The API takes the key as x-api-key; SDK 1.x sends it as a Bearer token instead. Accept both.
      if (opts.apiKey !== undefined && req.headers['x-api-key'] !== opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) return sendError(res, 401);
      if (req.method === 'GET' && path === '/v1/models') {
        const model = opts.model ?? 'claude-sonnet-5-5';
        return sendJson(res, 200, { data: [{ type: 'model', id: model, display_name: model, created_at: '2025-09-29T00:00:00Z' }], has_more: false, first_id: model, last_id: model }, { 'request-id': requestId() });
      }
      if (req.method !== 'POST' || path !== '/v1/messages') return sendError(res, 404);
      if (typeof req.headers['anthropic-version'] !== 'string') return sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version header is required' } });
      const body = (rawBody ?? {}) as { model?: string; stream?: boolean; system?: unknown; messages?: { content?: unknown }[] };

      if (fault === 'unauthorized') return sendError(res, 401);
      if (fault === 'server_error') return sendError(res, 500);
      if (fault === 'rate_limited') return sendError(res, 429, { 'retry-after': retryAfter, 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '0' });
      if (fault === 'overloaded') return sendError(res, 529, { 'retry-after': retryAfter });
      if (fault === 'hang') return; // never answer; the client's timeout or close() ends it

      const id = requestId();
      const msgId = `msg_${randomBytes(12).toString('hex')}`;
      const model = body.model ?? opts.model ?? 'claude-sonnet-5-5';
      const text = replyFor(opts, rawBody);
      const input = inputTokens(body);
      const parts = pieces(text);

      if (!body.stream) {
        if (fault === 'malformed') {
          res.writeHead(200, { 'content-type': 'application/json', 'request-id': id });
          return void res.end('{"id": "msg_01", "type": "message", "content": [');
        }
        const json = JSON.stringify({
          id: msgId, type: 'message', role: 'assistant', model,
          content: [{ type: 'text', text }],
          stop_reason: 'end_turn', stop_sequence: null,
          usage: { input_tokens: input, output_tokens: parts.length },
        });
        if (fault === 'cut' || fault === 'cut_after_text') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(json)), 'request-id': id });
          res.write(json.slice(0, Math.floor(json.length / 2)));
          return void setTimeout(() => res.destroy(), 20);
        }
        return sendJson(res, 200, JSON.parse(json), { 'request-id': id });
      }

      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': id });
      if (fault === 'malformed') {
        res.write('event: message_start\ndata: {"type": "message_start", "message": {\n\n');
        return void res.end();
      }
      sse(res, 'message_start', { type: 'message_start', message: { id: msgId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: input, output_tokens: 1 } } });
      if (fault === 'stream_error') {
        sse(res, 'error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
        return void res.end();
      }
      sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
      sse(res, 'ping', { type: 'ping' });
      if (fault === 'cut') return void setTimeout(() => res.destroy(), 20);
      for (const [i, piece] of parts.entries()) {
        if (opts.chunkDelayMs) await sleep(opts.chunkDelayMs);
        if (res.destroyed) return;
        sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } });
        if (fault === 'cut_after_text' && i === Math.floor(parts.length / 2)) return void setTimeout(() => res.destroy(), 20);
        if (fault === 'stall_after_text' && i === Math.floor(parts.length / 2)) return; // silent, connection left open
      }
      sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
      sse(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: parts.length } });
      sse(res, 'message_stop', { type: 'message_stop' });
      res.end();
    },
    (method, path) => method === 'POST' && path === '/v1/messages',
  );
}

