/**
 * Speech through the HTTP API with the real default engine: POST /audio/stream, the chat's
 * stream_url (owned by its principal), and OpenAI's speech endpoint driven by the openai SDK.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startOpenAIStandIn, type StandIn } from '../support/chat-openai-server.ts';
import { KEYS, startTestJarvis, type TestJarvis } from '../support/http-jarvis.ts';

const json = { 'content-type': 'application/json' };

function parseWav(buf: Buffer): { sampleRate: number; samples: Int16Array } {
  assert.equal(buf.subarray(0, 4).toString('latin1'), 'RIFF');
  assert.equal(buf.subarray(8, 12).toString('latin1'), 'WAVE');
  const sampleRate = buf.readUInt32LE(24);
  const dataAt = buf.indexOf('data', 12, 'latin1');
  assert.ok(dataAt > 0, 'a data chunk');
  const pcm = buf.subarray(dataAt + 8);
  return { sampleRate, samples: new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.length / 2)) };
}

function loud(samples: Int16Array): boolean {
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, Math.abs(s));
  return peak > 1000;
}

describe('speech over HTTP', () => {
  let llm: StandIn;
  let t: TestJarvis;
  before(async () => {
    llm = await startOpenAIStandIn({ reply: 'The weather is fine today. Take a walk outside.' });
    t = await startTestJarvis({ JARVIS_LOCAL_LLM_URL: llm.url, JARVIS_TTS_ENGINE: 'embedded' });
  });
  after(async () => {
    await t.close();
    await llm.close();
  });

  it('streams chunked WAV speech for POST /audio/stream', async () => {
    const res = await t.fetch('/audio/stream', { method: 'POST', key: KEYS.full, headers: json, body: JSON.stringify({ text: 'Hello from Jarvis. This is a test.', chunk_size: 4096 }) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/wav');
    assert.equal(res.headers.get('transfer-encoding'), 'chunked');
    const { sampleRate, samples } = parseWav(Buffer.from(await res.arrayBuffer()));
    assert.ok(sampleRate >= 16000);
    assert.ok(samples.length / sampleRate > 1, 'at least a second of speech');
    assert.ok(loud(samples), 'not silence');
  });

  it('refuses a string chunk_size: no coercion', async () => {
    const res = await t.fetch('/audio/stream', { method: 'POST', key: KEYS.full, headers: json, body: JSON.stringify({ text: 'Hi there.', chunk_size: '8192' }) });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { errors: { path: string }[] };
    assert.deepEqual(body.errors.map((e) => e.path), ['chunk_size']);
  });

  it('answers chat with a stream_url that only the same principal can fetch', async () => {
    const res = await t.fetch('/chat', { method: 'POST', key: KEYS.full, headers: json, body: JSON.stringify({ text: 'How is the weather?', use_tts: true, stream_audio: true }) });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { request_id: string; response: string; provider: string; stream_url: string };
    assert.equal(body.provider, 'local');
    assert.equal(body.response, 'The weather is fine today. Take a walk outside.');
    assert.equal(body.stream_url, `/audio/stream/${body.request_id}`);
    assert.equal(res.headers.get('x-request-id'), body.request_id);
    const other = await t.fetch(body.stream_url, { key: KEYS.admin });
    assert.equal(other.status, 404);
    const audio = await t.fetch(body.stream_url, { key: KEYS.full });
    assert.equal(audio.status, 200);
    assert.ok(loud(parseWav(Buffer.from(await audio.arrayBuffer())).samples));
  });

  it('reports the providers in fallback order with their breakers in /status', async () => {
    const status = (await (await t.fetch('/status', { key: KEYS.read })).json()) as { ai_providers: Record<string, boolean>; providers: { name: string; configured: boolean; breaker: string }[]; tts_engine: string };
    assert.equal(status.ai_providers.local, true);
    assert.equal(status.ai_providers.anthropic, false);
    assert.deepEqual(status.providers[0], { ...status.providers[0], name: 'local', configured: true, breaker: 'closed' });
    assert.equal(status.tts_engine, 'embedded');
  });

  it('needs the stream permission for stream_audio', async () => {
    const res = await t.fetch('/chat', { method: 'POST', key: KEYS.chat, headers: json, body: JSON.stringify({ text: 'Hi', stream_audio: true }) });
    assert.equal(res.status, 403);
  });

  it('speaks to the openai SDK through /v1/audio/speech', async () => {
    const client = new OpenAI({ apiKey: KEYS.full, baseURL: `${t.url}/v1`, maxRetries: 0 });
    const res = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Speaking through the OpenAI SDK.', response_format: 'wav' });
    const { samples } = parseWav(Buffer.from(await res.arrayBuffer()));
    assert.ok(loud(samples));
  });

  it("streams OpenAI's speech events with stream_format sse", async () => {
    const res = await t.fetch('/v1/audio/speech', { method: 'POST', key: KEYS.full, headers: json, body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: 'Events, please.', response_format: 'wav', stream_format: 'sse' }) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = (await res.text()).trim().split('\n\n').map((b) => JSON.parse(b.replace(/^data: /, '')) as { type: string; audio?: string });
    assert.equal(events.at(-1)!.type, 'speech.audio.done');
    const audio = Buffer.concat(events.filter((e) => e.type === 'speech.audio.delta').map((e) => Buffer.from(e.audio!, 'base64')));
    assert.ok(loud(parseWav(audio).samples));
  });

  it('streams a chat answer as Server-Sent Events ending with done', async () => {
    const res = await t.fetch('/chat', { method: 'POST', key: KEYS.full, headers: { ...json, accept: 'text/event-stream' }, body: JSON.stringify({ text: 'Stream it' }) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const text = await res.text();
    const events = text.trim().split('\n\n').map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') }));
    assert.equal(events[0]!.event, 'start');
    const deltas = events.filter((e) => e.event === 'delta').map((e) => e.data.text).join('');
    assert.equal(deltas, 'The weather is fine today. Take a walk outside.');
    const done = events.at(-1)!;
    assert.equal(done.event, 'done');
    assert.equal(done.data.request_id, res.headers.get('x-request-id'));
  });
});
