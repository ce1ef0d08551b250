/**
 * The contract's order of checks: trusted host → client IP → rate limit → credential →
 * permission → method → content type → size → validation. The first that fails answers,
 * and no body is read before the credential and permission checks pass.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KEYS, rawRequest, startTestJarvis, type TestJarvis } from '../support/http-jarvis.ts';

describe('order of checks', () => {
  let t: TestJarvis;
  before(async () => {
    t = await startTestJarvis({ JARVIS_TRUSTED_HOSTS: 'api.example.com,127.0.0.1', JARVIS_BLOCKED_IPS: '198.51.100.0/24', JARVIS_MAX_BODY: '1kb' });
  });
  after(() => t.close());

  async function problem(res: Response) {
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.request_id, res.headers.get('x-request-id'));
    assert.equal(body.status, res.status);
    return body;
  }

  it('refuses an untrusted Host before anything else, even with a bad credential and a bad body', async () => {
    const res = await rawRequest(t.url, { method: 'POST', path: '/chat', headers: { host: 'evil.example.net', authorization: 'Bearer nope', 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(res.status, 421);
    assert.equal(res.headers['content-type'], 'application/problem+json');
    assert.equal(JSON.parse(res.body).request_id, res.headers['x-request-id']);
  });

  it('exempts /health and /ready from the trusted-host check', async () => {
    const res = await rawRequest(t.url, { path: '/health', headers: { host: 'evil.example.net' } });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { status: 'ok' });
  });

  it('accepts a trusted host entry without a port on any port', async () => {
    const res = await rawRequest(t.url, { path: '/status', headers: { host: 'api.example.com:8443', authorization: `Bearer ${KEYS.read}` } });
    assert.equal(res.status, 200);
  });

  it('refuses a blocked client IP with 403 before the credential check', async () => {
    const blocked = await startTestJarvis({ JARVIS_BLOCKED_IPS: '127.0.0.0/8' });
    try {
      const res = await blocked.fetch('/status');
      assert.equal(res.status, 403);
      await problem(res);
    } finally {
      await blocked.close();
    }
  });

  it('answers 401 with WWW-Authenticate: Bearer before looking at the method or body', async () => {
    const res = await t.fetch('/chat', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(5000) });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    await problem(res);
  });

  it('names the security record a refusal caused in an Audit-Id header, and none on success', async () => {
    const refused = await t.fetch('/status', { key: 'wrong-key-wrong-key-wrong' });
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('audit-id') ?? '', /^[0-9a-f-]{36}$/);
    const ok = await t.fetch('/status', { key: KEYS.read });
    assert.equal(ok.headers.get('audit-id'), null);
  });

  it('answers 403 for a valid key without the permission before the content type', async () => {
    const res = await t.fetch('/chat', { method: 'POST', key: KEYS.read, headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(res.status, 403);
    await problem(res);
  });

  it('answers 405 with Allow for a wrong method, after the permission check', async () => {
    const res = await t.fetch('/chat', { method: 'GET', key: KEYS.full });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });

  it('answers 415 for a body that is not JSON, before its size', async () => {
    const res = await t.fetch('/chat', { method: 'POST', key: KEYS.full, headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(5000) });
    assert.equal(res.status, 415);
  });

  it('answers 413 for an oversized JSON body, before validating it', async () => {
    const res = await t.fetch('/chat', { method: 'POST', key: KEYS.full, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nope: 'x'.repeat(5000) }) });
    assert.equal(res.status, 413);
  });

  it('answers 400 naming every failing field, unknown fields included', async () => {
    const res = await t.fetch('/chat', { method: 'POST', key: KEYS.full, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 5, extra: true }) });
    assert.equal(res.status, 400);
    const body = await problem(res);
    const paths = (body.errors as { path: string }[]).map((e) => e.path).sort();
    assert.deepEqual(paths, ['extra', 'text']);
  });

  it('keeps a well-formed X-Request-Id and replaces a malformed one', async () => {
    const kept = await t.fetch('/health', { headers: { 'x-request-id': 'abc.DEF_123-x' } });
    assert.equal(kept.headers.get('x-request-id'), 'abc.DEF_123-x');
    const replaced = await t.fetch('/status', { headers: { 'x-request-id': 'bad id with spaces' } });
    assert.notEqual(replaced.headers.get('x-request-id'), 'bad id with spaces');
    assert.equal(((await replaced.json()) as { request_id: string }).request_id, replaced.headers.get('x-request-id'));
  });

  it('answers 404 on the API port for /metrics', async () => {
    const res = await t.fetch('/metrics');
    assert.equal(res.status, 404);
  });

  it('sends Cache-Control: no-store and the security headers on every answer', async () => {
    const res = await t.fetch('/status', { key: KEYS.read });
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-powered-by'), null);
  });
});
