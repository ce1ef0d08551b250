/** Configuration: parsed once, and a bad value stops the start naming the variable. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, defaultInstanceId, loadConfig, MAX_INSTANCE_ID } from '../../src/config/config.ts';
import { RequestCompleted } from '../../events/index.ts';
import { workerInstanceId } from '../../src/cluster/membership.ts';

const base = { JARVIS_DATA_DIR: '/tmp/x' };

describe('configuration', () => {
  it('has working defaults for development', () => {
    const c = loadConfig(base);
    assert.equal(c.http.port, 8000);
    assert.equal(c.http.metricsPort, 9464);
    assert.equal(c.http.metricsHost, '127.0.0.1');
    assert.deepEqual(c.rateLimit.api, { limit: 60, windowMs: 60_000, burst: 0 });
    assert.deepEqual(c.rateLimit.stream, { limit: 30, windowMs: 60_000, burst: 0 });
    assert.equal(c.http.maxBodyBytes, 10 * 1024 * 1024);
    assert.equal(c.eventLog.kafkaBrokers, null);
    assert.equal(c.workers, 1);
    assert.ok(Object.isFrozen(c.http));
  });

  it('uses 4 workers and needs a strong JWT secret in production', () => {
    assert.throws(() => loadConfig({ ...base, NODE_ENV: 'production' }), (e: unknown) => e instanceof ConfigError && e.variable === 'JARVIS_JWT_SECRET');
    assert.throws(() => loadConfig({ ...base, NODE_ENV: 'production', JARVIS_JWT_SECRET: 'short' }), (e: unknown) => e instanceof ConfigError && e.variable === 'JARVIS_JWT_SECRET');
    assert.equal(loadConfig({ ...base, NODE_ENV: 'production', JARVIS_JWT_SECRET: 'x'.repeat(64) }).workers, 4);
  });

  const bad: [string, string][] = [
    ['JARVIS_PORT', 'eighty'],
    ['JARVIS_RATE_LIMIT_API', '60 per minute'],
    ['JARVIS_MAX_BODY', 'huge'],
    ['JARVIS_JWT_TTL', '48h'],
    ['JARVIS_API_KEY_1', 'short'],
    ['JARVIS_API_KEY_1_PERMISSIONS', 'read,root'],
    ['JARVIS_TTS_ENGINE', 'festival'],
    ['NODE_ENV', 'staging'],
  ];
  for (const [name, value] of bad) {
    it(`stops on a bad ${name} with a message naming it`, () => {
      const env: Record<string, string> = { ...base, [name]: value };
      if (name === 'JARVIS_API_KEY_1_PERMISSIONS') env.JARVIS_API_KEY_1 = 'k'.repeat(20);
      assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && e.message.startsWith(`${name}:`));
    });
  }

  it('reads numbered keys with names and permissions, and the admin key with all four', () => {
    const c = loadConfig({ ...base, JARVIS_API_KEY_2: 'b'.repeat(20), JARVIS_API_KEY_2_NAME: 'mobile', JARVIS_API_KEY_2_PERMISSIONS: 'read,chat', JARVIS_ADMIN_KEY: 'a'.repeat(20) });
    assert.deepEqual(c.auth.staticKeys.map((k) => [k.id, k.name, k.permissions.join(',')]), [['env-2', 'mobile', 'read,chat'], ['admin', 'admin', 'read,chat,stream,admin']]);
  });

  it('parses rates with a burst', () => {
    assert.deepEqual(loadConfig({ ...base, JARVIS_RATE_LIMIT_STREAM: '30/min+10' }).rateLimit.stream, { limit: 30, windowMs: 60_000, burst: 10 });
  });

  it('keeps instance ids short enough for the events that carry them, even from a long hostname', () => {
    // A Kubernetes pod name may be 63 characters; a worker's id adds -w<N>; events allow 64.
    const id = defaultInstanceId('p'.repeat(63), '/app/data');
    assert.ok(id.length <= MAX_INSTANCE_ID, `${id.length} characters`);
    assert.match(id, /^p+-[0-9a-f]{8}$/);
    assert.equal(defaultInstanceId('p'.repeat(63), '/app/data'), id, 'stable across restarts');
    assert.notEqual(defaultInstanceId('p'.repeat(63), '/other/data'), id, 'unique per data directory');
    const instance = workerInstanceId(id, 99_999);
    assert.ok(RequestCompleted.data.shape.instance.safeParse(instance).success, `${instance} fits the events`);
    assert.throws(() => loadConfig({ ...base, JARVIS_INSTANCE_ID: 'i'.repeat(MAX_INSTANCE_ID + 1) }), (e: unknown) => e instanceof ConfigError && e.message.startsWith('JARVIS_INSTANCE_ID'));
    assert.equal(loadConfig({ ...base, JARVIS_INSTANCE_ID: 'api-1' }).instanceId, 'api-1');
  });
});
