/**
 * audio: a stream URL belongs to the principal that made the chat request — anyone else gets
 * 404, exactly like an id that never existed, so ids cannot be probed. Needs a working chat
 * provider and TTS engine on the target; skipped with the reason if /chat cannot answer.
 */
import assert from 'node:assert/strict';
import { check, skip, type Ctx, type Group } from '../harness.ts';
import { expectProblem, sameOriginPath, show } from '../expect.ts';
import { randomId } from './endpoints.ts';

/** One chat answer with stream_audio from the full key, made once per run. */
function streamUrl(ctx: Ctx): Promise<string> {
  const key = ctx.key('full');
  return ctx.memo('stream-url', async () => {
    const res = await ctx.client.request({ method: 'POST', path: '/chat', token: key, body: { text: 'Say the word hello.', use_tts: true, stream_audio: true }, timeoutMs: 60_000 });
    if (res.status === 502 || res.status === 503 || res.status === 504) skip(`POST /chat could not answer on this target (${res.status}): no provider or TTS engine`);
    assert.equal(res.status, 200, `POST /chat with stream_audio must answer 200: ${show(res)}`);
    const body = res.json as { stream_url?: unknown; request_id?: unknown };
    const path = sameOriginPath(body.stream_url, ctx.client.origin);
    assert.equal(path, `/audio/stream/${String(body.request_id)}`, `stream_url must be /audio/stream/{request_id}: ${show(res)}`);
    return path;
  });
}

export const audio: Group = {
  name: 'audio',
  checks: [
    check('GET /audio/stream/{random id} is a 404 problem', async (ctx) => {
      expectProblem(await ctx.client.request({ path: `/audio/stream/${randomId()}`, token: ctx.key('full') }), 404);
    }),
    check('GET /audio/stream/ with a traversal-looking id is 404 or 400, never audio', async (ctx) => {
      for (const id of ['..%2F..%2Fetc%2Fpasswd', '%2e%2e', '*', '%00']) {
        const res = await ctx.client.request({ path: `/audio/stream/${id}`, token: ctx.key('full') });
        assert.ok(res.status === 404 || res.status === 400, `expected 404 or 400: ${show(res)}`);
      }
    }),
    check('a stream URL fetched by another principal (the admin key) is 404', async (ctx) => {
      const path = await streamUrl(ctx);
      const res = await ctx.client.request({ path, token: ctx.key('admin'), maxBodyBytes: 4096, timeoutMs: 10_000 });
      expectProblem(res, 404);
    }, 70_000),
    check('a stream URL fetched with no credential is 401', async (ctx) => {
      const path = await streamUrl(ctx);
      const res = await ctx.client.request({ path, maxBodyBytes: 4096 });
      assert.equal(res.status, 401, `expected 401: ${show(res)}`);
    }, 70_000),
    check('a stream URL fetched by its own principal is audio (so the 404 above is meaningful)', async (ctx) => {
      const path = await streamUrl(ctx);
      const res = await ctx.client.request({ path, token: ctx.key('full'), maxBodyBytes: 8192, timeoutMs: 30_000 });
      assert.equal(res.status, 200, `the owner must get the stream: ${show(res)}`);
      assert.match(res.headers['content-type'] ?? '', /^audio\//, `the stream must be audio, got "${res.headers['content-type'] ?? ''}"`);
    }, 70_000),
  ],
};
