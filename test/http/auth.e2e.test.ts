/** Tokens, sessions and managed keys as a client and an admin use them. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOPIC, AUTH_TOPIC, SESSIONS_TOPIC } from '../../events/index.ts';
import { eventsOf } from '../support/http-events.ts';
import { KEYS, startTestJarvis, type TestJarvis } from '../support/http-jarvis.ts';

const json = { 'content-type': 'application/json' };

describe('authentication and sessions', () => {
  let t: TestJarvis;
  before(async () => { t = await startTestJarvis(); });
  after(() => t.close());

  async function token(key: string, scope?: string) {
    const res = await t.fetch('/auth/token', { method: 'POST', key, headers: json, body: JSON.stringify(scope ? { scope } : {}) });
    return { res, body: (await res.json()) as Record<string, string | number> };
  }

  it('exchanges an API key for a JWT that carries a subset of its permissions', async () => {
    const { res, body } = await token(KEYS.full, 'read');
    assert.equal(res.status, 200);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.scope, 'read');
    assert.equal(body.expires_in, 900);
    assert.match(String(body.session_id), /^ses_/);
    assert.equal((await t.fetch('/status', { key: String(body.access_token) })).status, 200);
    assert.equal((await t.fetch('/chat', { method: 'POST', key: String(body.access_token), headers: json, body: '{"text":"hi"}' })).status, 403);
  });

  it('refuses a scope the key does not hold with 403', async () => {
    const { res } = await token(KEYS.read, 'read chat');
    assert.equal(res.status, 403);
  });

  it('refuses a JWT at /auth/token with 403', async () => {
    const { body } = await token(KEYS.full);
    assert.equal((await t.fetch('/auth/token', { method: 'POST', key: String(body.access_token) })).status, 403);
  });

  it('answers 400 to logout with an API key', async () => {
    assert.equal((await t.fetch('/auth/logout', { method: 'POST', key: KEYS.full })).status, 400);
  });

  it('logout revokes the session at once: the token then gets 401', async () => {
    const { body } = await token(KEYS.full);
    const access = String(body.access_token);
    assert.equal((await t.fetch('/auth/logout', { method: 'POST', key: access })).status, 204);
    const after = await t.fetch('/status', { key: access });
    assert.equal(after.status, 401);
    assert.match(after.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  it('lets an admin list and revoke sessions', async () => {
    const { body } = await token(KEYS.full);
    const list = (await (await t.fetch('/admin/sessions', { key: KEYS.admin })).json()) as { sessions: { id: string }[] };
    // the session may still be on its way through the log: the overlay only covers revocations
    const deadline = Date.now() + 3000;
    let ids = list.sessions.map((s) => s.id);
    while (!ids.includes(String(body.session_id)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      ids = ((await (await t.fetch('/admin/sessions', { key: KEYS.admin })).json()) as { sessions: { id: string }[] }).sessions.map((s) => s.id);
    }
    assert.ok(ids.includes(String(body.session_id)));
    assert.equal((await t.fetch(`/admin/sessions/${body.session_id}`, { method: 'DELETE', key: KEYS.admin })).status, 204);
    assert.equal((await t.fetch('/status', { key: String(body.access_token) })).status, 401);
  });

  it('shows a new key once, lists it without its secret, and stops it when revoked', async () => {
    const created = await t.fetch('/admin/keys', { method: 'POST', key: KEYS.admin, headers: json, body: JSON.stringify({ name: 'ci bot', permissions: ['read'] }) });
    assert.equal(created.status, 201);
    const key = (await created.json()) as { id: string; key: string; permissions: string[] };
    assert.match(key.key, /^jrv_[A-Za-z0-9]{12}_/);
    assert.equal((await t.fetch('/status', { key: key.key })).status, 200);
    const listing = await (await t.fetch('/admin/keys', { key: KEYS.admin })).text();
    assert.ok(listing.includes(key.id));
    assert.ok(!listing.includes(key.key.slice(18)), 'the listing must not contain the secret');
    assert.equal((await t.fetch(`/admin/keys/${key.id}`, { method: 'DELETE', key: KEYS.admin })).status, 204);
    assert.equal((await t.fetch('/status', { key: key.key })).status, 401);
  });

  it('refuses to revoke a key from the environment with 409', async () => {
    assert.equal((await t.fetch('/admin/keys/env-1', { method: 'DELETE', key: KEYS.admin })).status, 409);
  });

  it('publishes every decision and admin action without any secret', async () => {
    const created = (await (await t.fetch('/admin/keys', { method: 'POST', key: KEYS.admin, headers: json, body: JSON.stringify({ name: 'scan me', permissions: ['read'] }) })).json()) as { id: string; key: string };
    await t.fetch('/status', { key: created.key });
    await t.fetch('/status', { key: 'not-a-key-but-long-enough' });
    const events = await eventsOf(t.jarvis, [AUTH_TOPIC, ADMIN_TOPIC, SESSIONS_TOPIC]);
    const raw = JSON.stringify(events);
    for (const secret of [...Object.values(KEYS), created.key, created.key.slice(18), 'not-a-key-but-long-enough']) assert.ok(!raw.includes(secret), 'a secret reached the event log');
    assert.ok(events.some((e) => e.type === 'jarvis.admin.api_key_created.v1' && (e.data as { key_id: string }).key_id === created.id));
    assert.ok(events.some((e) => e.type === 'jarvis.auth.decision_recorded.v1' && (e.data as { outcome: string; reason: string }).reason === 'unknown_key'));
    assert.ok(events.some((e) => e.type === 'jarvis.auth.decision_recorded.v1' && (e.data as { principal: string }).principal === created.id));
    // Each decision names the instance that made it, as each completed request does.
    const decisions = events.filter((e) => e.type === 'jarvis.auth.decision_recorded.v1');
    assert.ok(decisions.length >= 2 && decisions.every((e) => (e.data as { instance?: string }).instance === t.jarvis.config.instanceId));
    // The admin action names the client IP of the request behind it.
    assert.equal((events.find((e) => e.type === 'jarvis.admin.api_key_created.v1' && (e.data as { key_id: string }).key_id === created.id)!.data as { ip?: string }).ip, '127.0.0.1');
  });
});
