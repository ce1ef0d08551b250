/**
 * `npm start` with JARVIS_WORKERS=2: what one worker holds in memory, the next request finds
 * whichever worker takes it (node:cluster deals new connections out round-robin). The stream URL
 * of a chat answer works for its owner only, also while the answer is still being generated; a
 * conversation continues with its history. Every request here opens a new connection, as a
 * browser or curl fetching the URL later would.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startOpenAIStandIn, type StandIn } from '../support/chat-openai-server.ts';
import { startClusterProcess, type ClusterProcess } from '../support/cluster-process.ts';

const secret = (n = 24) => randomBytes(n).toString('hex').slice(0, n);

interface Reply { status: number; headers: http.IncomingHttpHeaders; body: Buffer; ms: number }

/** One request on a connection of its own (no keep-alive pool). */
function request(base: string, method: string, p: string, key: string, body?: unknown): Promise<Reply> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(new URL(p, base), {
      method,
      agent: false,
      headers: { authorization: `Bearer ${key}`, ...(payload && { 'content-type': 'application/json', 'content-length': String(payload.length) }) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: Date.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timed out')));
    req.end(payload);
  });
}

/** POST /chat as Server-Sent Events: resolves at the `start` event (which names the stream URL); `done` has the whole stream. */
function chatEventStream(base: string, key: string, body: unknown): Promise<{ streamUrl: string; done: Promise<string>; readonly openMs: number }> {
  const payload = Buffer.from(JSON.stringify(body));
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(new URL('/chat', base), {
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', 'content-type': 'application/json', 'content-length': String(payload.length) },
    }, (res) => {
      let text = '';
      let resolved = false;
      let endedAt = 0;
      const done = new Promise<string>((ok, fail) => {
        res.on('end', () => { endedAt = Date.now(); ok(text); });
        res.on('error', fail);
      });
      res.on('data', (c: Buffer) => {
        text += c.toString('utf8');
        const m = /event: start\ndata: (.*)\n/.exec(text);
        if (m && !resolved) {
          resolved = true;
          resolve({ streamUrl: (JSON.parse(m[1]!) as { stream_url: string }).stream_url, done, get openMs() { return endedAt - started; } });
        }
      });
      res.on('end', () => { if (!resolved) reject(new Error(`no start event (${res.statusCode}): ${text.slice(0, 300)}`)); });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** POST /audio/stream of a long text, left unread so the stream stays open; `end` closes it. */
function holdStream(base: string, key: string): Promise<{ status: number; body: () => Promise<string>; end: () => void }> {
  const payload = Buffer.from(JSON.stringify({ text: 'This sentence is spoken slowly and at length. '.repeat(60) }));
  return new Promise((resolve, reject) => {
    const req = http.request(new URL('/audio/stream', base), {
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': String(payload.length) },
    }, (res) => {
      res.pause();
      resolve({
        status: res.statusCode ?? 0,
        body: () => new Promise((ok) => { let t = ''; res.on('data', (c: Buffer) => { t += c.toString('utf8'); }); res.on('end', () => ok(t)); res.resume(); }),
        end: () => req.destroy(),
      });
    });
    req.on('error', (err) => { if (!req.destroyed) reject(err); });
    req.end(payload);
  });
}

describe('two cluster workers', () => {
  const keys = { owner: `own-${secret()}`, other: `oth-${secret()}` };
  let llm: StandIn;
  let slowLlm: StandIn;
  let main: ClusterProcess | undefined;
  let slow: ClusterProcess | undefined;
  let limited: ClusterProcess | undefined;
  let base = '';
  let slowBase = '';
  let limitedBase = '';

  function start(llmUrl: string, env: Record<string, string> = {}): Promise<ClusterProcess> {
    return startClusterProcess({
      JARVIS_JWT_SECRET: secret(64),
      JARVIS_API_KEY_1: keys.owner,
      JARVIS_API_KEY_1_PERMISSIONS: 'read,chat,stream',
      JARVIS_API_KEY_2: keys.other,
      JARVIS_API_KEY_2_PERMISSIONS: 'read,chat,stream',
      JARVIS_LOCAL_LLM_URL: llmUrl,
      JARVIS_TTS_ENGINE: 'embedded',
      JARVIS_RATE_LIMIT_API: '100000/min',
      JARVIS_RATE_LIMIT_STREAM: '100000/min',
      JARVIS_MAX_STREAMS_PER_PRINCIPAL: '2',
      ...env,
    });
  }

  before(async () => {
    llm = await startOpenAIStandIn({ reply: 'The answer comes from one worker and is spoken by the other.' });
    // 40 words, one every 50 ms: the answer is still arriving while its audio is fetched.
    slowLlm = await startOpenAIStandIn({ reply: Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ') + '.', chunkDelayMs: 50 });
    main = await start(llm.url);
    slow = await start(slowLlm.url);
    limited = await start(llm.url, { JARVIS_RATE_LIMIT_API: '60/min' });
    ({ base } = main);
    ({ base: slowBase } = slow);
    ({ base: limitedBase } = limited);
  });

  after(async () => {
    await Promise.all([main?.stop(), slow?.stop(), limited?.stop()]);
    await llm?.close();
    await slowLlm?.close();
  });

  it('admits exactly 60 of 200 concurrent requests at 60/min, spread over both workers', async () => {
    const statuses = await Promise.all(Array.from({ length: 200 }, () => request(limitedBase, 'GET', '/status', keys.owner).then((r) => r.status)));
    assert.equal(statuses.filter((s) => s === 200).length, 60, `statuses: ${statuses.filter((s) => s !== 429).join(",")} and the rest 429`);
    assert.equal(statuses.filter((s) => s === 429).length, 140);
  });

  it('serves the audio to its owner on every fetch, whichever worker takes the connection', async () => {
    const chat = await request(base, 'POST', '/chat', keys.owner, { text: 'Hello', stream_audio: true });
    assert.equal(chat.status, 200, chat.body.toString());
    const streamUrl = (JSON.parse(chat.body.toString()) as { stream_url: string }).stream_url;
    assert.match(streamUrl, /^\/audio\/stream\//);
    const fetched: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await request(base, 'GET', streamUrl, keys.owner);
      fetched.push(r.status);
      if (r.status === 200) {
        assert.match(String(r.headers['content-type']), /^audio\/wav/);
        assert.equal(r.body.subarray(0, 4).toString('latin1'), 'RIFF', 'a WAV file');
        assert.ok(r.body.length > 10_000, `audio of the whole answer (${r.body.length} bytes)`);
      }
    }
    assert.deepEqual(fetched, Array(8).fill(200), `statuses of 8 fetches on new connections: ${fetched.join(', ')}`);
  });

  it('answers 404 to another principal and for an unknown id, on every worker, without waiting long', async () => {
    const chat = await request(base, 'POST', '/chat', keys.owner, { text: 'Hello again', stream_audio: true });
    const streamUrl = (JSON.parse(chat.body.toString()) as { stream_url: string }).stream_url;
    for (let i = 0; i < 4; i++) {
      const theirs = await request(base, 'GET', streamUrl, keys.other);
      assert.equal(theirs.status, 404, 'someone else\'s stream URL');
      assert.match(String(theirs.headers['content-type']), /^application\/problem\+json/);
      const unknown = await request(base, 'GET', `/audio/stream/${secret(16)}`, keys.owner);
      assert.equal(unknown.status, 404, 'an id nobody handed out');
      assert.ok(unknown.ms < 3000, `answered in ${unknown.ms} ms`);
    }
  });

  it('continues a conversation, with its history, whichever worker takes the next turn', async () => {
    const first = await request(base, 'POST', '/chat', keys.owner, { text: 'My name is Ada.' });
    assert.equal(first.status, 200, first.body.toString());
    const conversation = (JSON.parse(first.body.toString()) as { conversation_id: string }).conversation_id;
    for (let turn = 2; turn <= 5; turn++) {
      const r = await request(base, 'POST', '/chat', keys.owner, { text: `Turn ${turn}: what is my name?`, conversation_id: conversation });
      assert.equal(r.status, 200, `turn ${turn}: ${r.body.toString()}`);
      assert.equal((JSON.parse(r.body.toString()) as { conversation_id: string }).conversation_id, conversation);
      const sent = llm.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
      const users = sent.messages.filter((m) => m.role === 'user').map((m) => m.content);
      assert.equal(users[0], 'My name is Ada.', `turn ${turn} reached the model with the first question`);
      assert.equal(users.length, turn, `turn ${turn} carried every earlier question`);
    }
    const theirs = await request(base, 'POST', '/chat', keys.other, { text: 'Whose is this?', conversation_id: conversation });
    assert.equal(theirs.status, 404, 'someone else\'s conversation stays unknown');
  });

  it('caps open streams per principal for the instance, not per worker (JARVIS_MAX_STREAMS_PER_PRINCIPAL=2)', async () => {
    // Two open streams on two new connections: round-robin gives one to each worker.
    const open = [await holdStream(base, keys.owner), await holdStream(base, keys.owner)];
    try {
      assert.deepEqual(open.map((o) => o.status), [200, 200]);
      for (let i = 0; i < 2; i++) {
        const third = await holdStream(base, keys.owner);
        assert.equal(third.status, 429, `a third open stream, attempt ${i + 1}, whichever worker takes it`);
        assert.match(await third.body(), /too-many-streams/);
      }
      const someoneElse = await holdStream(base, keys.other);
      assert.equal(someoneElse.status, 200, 'another principal has its own slots');
      someoneElse.end();
      open.shift()!.end();
      let after = 0;
      for (let i = 0; i < 50 && after !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const next = await holdStream(base, keys.owner);
        after = next.status;
        if (after === 200) open.push(next);
        else await next.body();
      }
      assert.equal(after, 200, 'a slot comes back when a stream ends');
    } finally {
      for (const o of open) o.end();
    }
  });

  it('streams the audio of an answer that is still being generated, from either worker', async () => {
    const chat = await chatEventStream(slowBase, keys.owner, { text: 'Count for me', stream_audio: true });
    // Fetched while the answer is still arriving, twice, on new connections: round-robin puts one
    // of them on the worker that does not hold the answer.
    const replies = await Promise.all([0, 1].map(() => request(slowBase, 'GET', chat.streamUrl, keys.owner)));
    const events = await chat.done;
    assert.match(events, /event: done/, 'the answer finished normally');
    assert.ok(chat.openMs > 1000, `the audio was asked for while the answer streamed (answer took ${chat.openMs} ms)`);
    for (const r of replies) {
      assert.equal(r.status, 200, r.body.toString().slice(0, 300));
      assert.equal(r.body.subarray(0, 4).toString('latin1'), 'RIFF');
      assert.ok(r.body.length > 30_000, `audio of all 40 words (${r.body.length} bytes)`);
    }
  });
});
