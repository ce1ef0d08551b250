/**
 * input: content types (415), strict validation without coercion and with unknown fields refused
 * (400 naming the field), wrong methods (405 with Allow), and body sizes (input-size.ts).
 * Every body here is invalid on purpose, so nothing reaches a chat provider or a TTS engine.
 */
import assert from 'node:assert/strict';
import { check, type Check, type Ctx, type Group } from '../harness.ts';
import type { Res } from '../http.ts';
import { expectFieldError, expectProblem, show } from '../expect.ts';
import { sizeChecks } from './input-size.ts';

const chat = (ctx: Ctx, body: unknown, headers: Record<string, string> = {}): Promise<Res> =>
  ctx.client.request({ method: 'POST', path: '/chat', token: ctx.key('chat'), body, headers });
const audio = (ctx: Ctx, body: unknown): Promise<Res> =>
  ctx.client.request({ method: 'POST', path: '/audio/stream', token: ctx.key('full'), body });
const speech = (ctx: Ctx, body: unknown): Promise<Res> =>
  ctx.client.request({ method: 'POST', path: '/v1/audio/speech', token: ctx.key('full'), body });

const contentTypes: Check[] = [
  ['text/plain', 'hello'],
  ['application/x-www-form-urlencoded', 'text=hello'],
  ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="text"\r\n\r\nhello\r\n--x--\r\n'],
].map(([ct, body]) =>
  check(`POST /chat with Content-Type ${ct!.split(';')[0]} is 415`, async (ctx) => {
    expectProblem(await chat(ctx, body, { 'content-type': ct! }), 415);
  }),
);

const validation: Check[] = [
  check('POST /chat with invalid JSON is a 400 problem', async (ctx) => {
    expectProblem(await chat(ctx, '{"text": "hello"', { 'content-type': 'application/json' }), 400);
  }),
  check('POST /chat with a JSON array is a 400 problem', async (ctx) => {
    expectProblem(await chat(ctx, '["hello"]', { 'content-type': 'application/json' }), 400);
  }),
  check('POST /chat with an empty JSON body is a 400 problem', async (ctx) => {
    expectProblem(await chat(ctx, '', { 'content-type': 'application/json' }), 400);
  }),
  check('POST /chat without text names "text" in errors', async (ctx) => {
    expectFieldError(await chat(ctx, { use_tts: false }), 'text');
  }),
  check('POST /chat with a number for text names "text" (no coercion)', async (ctx) => {
    expectFieldError(await chat(ctx, { text: 12345 }), 'text');
  }),
  check('POST /chat with "true" as a string for use_tts names "use_tts" (no coercion)', async (ctx) => {
    expectFieldError(await chat(ctx, { text: 'hello', use_tts: 'true' }), 'use_tts');
  }),
  check('POST /chat with an unknown field names it', async (ctx) => {
    expectFieldError(await chat(ctx, { text: 'hello', is_admin: true }), 'is_admin');
  }),
  check('POST /chat with a __proto__ key is refused as an unknown field', async (ctx) => {
    expectProblem(await chat(ctx, '{"text":"hello","__proto__":{"admin":true}}', { 'content-type': 'application/json' }), 400);
  }),
  check('POST /chat with deeply nested JSON is a 400 and the server keeps answering', async (ctx) => {
    const depth = 20_000;
    const res = await chat(ctx, `{"text":"hello","x":${'['.repeat(depth)}${']'.repeat(depth)}}`, { 'content-type': 'application/json' });
    expectProblem(res, 400);
    assert.equal((await ctx.client.request({ path: '/health' })).status, 200, 'the server stopped answering /health');
  }),
  check('POST /chat with invalid UTF-8 in the body is a 4xx, not a 5xx', async (ctx) => {
    // the unknown field keeps a lenient decoder from passing the text on to a provider
    const body = Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('","suite_unknown":1}')]);
    expectProblem(await chat(ctx, body, { 'content-type': 'application/json' }), 400);
  }),
  check('POST /audio/stream with chunk_size "8192" as a string names chunk_size (no coercion)', async (ctx) => {
    expectFieldError(await audio(ctx, { text: 'hello', chunk_size: '8192' }), 'chunk_size');
  }),
  ...[511, 65537, 8192.5, -1, 0].map((n) =>
    check(`POST /audio/stream with chunk_size ${n} names chunk_size`, async (ctx) => {
      expectFieldError(await audio(ctx, { text: 'hello', chunk_size: n }), 'chunk_size');
    }),
  ),
  check('POST /audio/stream with an unknown format names format', async (ctx) => {
    expectFieldError(await audio(ctx, { text: 'hello', format: 'exe' }), 'format');
  }),
  check('POST /audio/stream with an unknown field names it', async (ctx) => {
    expectFieldError(await audio(ctx, { text: 'hello', callback_url: 'http://127.0.0.1/' }), 'callback_url');
  }),
  check('POST /v1/audio/speech with 4097 characters of input names input', async (ctx) => {
    expectFieldError(await speech(ctx, { model: 'tts-1', input: 'a'.repeat(4097), voice: 'alloy' }), 'input');
  }),
  check('POST /v1/audio/speech with an unknown field names it', async (ctx) => {
    expectFieldError(await speech(ctx, { model: 'tts-1', input: 'hello', voice: 'alloy', evil_field: 1 }), 'evil_field');
  }),
  check('POST /v1/audio/speech with speed "1.0" as a string names speed (no coercion)', async (ctx) => {
    expectFieldError(await speech(ctx, { model: 'tts-1', input: 'hello', voice: 'alloy', speed: '1.0' }), 'speed');
  }),
];

function expectAllow(res: Res, method: string): void {
  expectProblem(res, 405);
  const allow = res.headers.allow ?? '';
  assert.ok(allow.toUpperCase().split(/\s*,\s*/).includes(method), `405 must carry Allow including ${method}, got "${allow}"`);
}

const methods: Check[] = [
  check('PUT /chat is 405 with Allow: POST', async (ctx) => {
    expectAllow(await ctx.client.request({ method: 'PUT', path: '/chat', token: ctx.key('chat'), body: { text: 'hello' } }), 'POST');
  }),
  check('GET /chat is 405 with Allow: POST', async (ctx) => {
    expectAllow(await ctx.client.request({ method: 'GET', path: '/chat', token: ctx.key('chat') }), 'POST');
  }),
  check('DELETE /status is 405 with Allow: GET', async (ctx) => {
    expectAllow(await ctx.client.request({ method: 'DELETE', path: '/status', token: ctx.anyKey() }), 'GET');
  }),
  check('POST /health is 405 with Allow: GET', async (ctx) => {
    expectAllow(await ctx.client.request({ method: 'POST', path: '/health', body: {} }), 'GET');
  }),
  check('TRACE /status is never echoed back (405 or 501)', async (ctx) => {
    const res = await ctx.client.request({ method: 'TRACE', path: '/status', token: ctx.anyKey() });
    assert.ok(res.status === 405 || res.status === 501 || res.status === 400, `TRACE must be refused: ${show(res)}`);
  }),
];

export const input: Group = { name: 'input', checks: [...contentTypes, ...validation, ...methods, ...sizeChecks] };
