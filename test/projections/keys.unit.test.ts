/** The key registry: created, revoked, rotated with an overlap; looked up by id and by secret hash. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ApiKeyCreated, ApiKeyRevoked, ApiKeyRotated } from '../../events/index.ts';
import { findKeyBySecretHash, getKey, keysProjection, keyStatus, listKeys } from '../../src/projections/keys/index.ts';
import { at, given } from '../support/projections-given.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const DAY = 86_400_000;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function created(id: string, t = T0, expiresAt: number | null = null, rotatedFrom: string | null = null) {
  return at(t, ApiKeyCreated, {
    key_id: id, name: `name ${id}`, permissions: ['read', 'chat'], secret_sha256: sha(`secret-${id}`),
    created_at: new Date(t).toISOString(), expires_at: expiresAt === null ? null : new Date(expiresAt).toISOString(), created_by: 'admin', rotated_from: rotatedFrom,
  });
}

test('a created key is found by id and by the hash of its secret, and works', () => {
  given(keysProjection, [created('k1')]).then((s) => {
    assert.equal(getKey(s, 'k1')?.name, 'name k1');
    assert.equal(findKeyBySecretHash(s, sha('secret-k1'))?.id, 'k1');
    assert.equal(findKeyBySecretHash(s, sha('another')), undefined);
    assert.equal(keyStatus(s, 'k1', T0 + 1000), 'active');
    assert.equal(keyStatus(s, 'nope', T0), 'unknown');
  });
});

test('a key stops working at its expiry', () => {
  given(keysProjection, [created('k1', T0, T0 + DAY)]).then((s) => {
    assert.equal(keyStatus(s, 'k1', T0 + DAY - 1), 'active');
    assert.equal(keyStatus(s, 'k1', T0 + DAY), 'expired');
  });
});

test('a revoked key is refused, and revocation wins over everything after it', () => {
  const events = [created('k1'), at(T0 + 1000, ApiKeyRevoked, { key_id: 'k1', revoked_by: 'admin', reason: 'leaked' }), created('k1')];
  given(keysProjection, events).then((s) => {
    assert.equal(keyStatus(s, 'k1', T0 + 2000), 'revoked');
    assert.equal(getKey(s, 'k1')?.revoke_reason, 'leaked');
  });
});

test('a rotated key keeps working until the overlap ends; its successor works from the start', () => {
  const events = [
    created('old', T0, T0 + 30 * DAY),
    created('new', T0 + DAY, null, 'old'),
    at(T0 + DAY, ApiKeyRotated, { key_id: 'old', successor_id: 'new', overlap_until: new Date(T0 + 2 * DAY).toISOString(), rotated_by: 'admin' }),
  ];
  given(keysProjection, events).then((s) => {
    assert.equal(keyStatus(s, 'old', T0 + 2 * DAY - 1), 'active');
    assert.equal(keyStatus(s, 'old', T0 + 2 * DAY), 'expired');
    assert.equal(keyStatus(s, 'new', T0 + 3 * DAY), 'active');
    assert.equal(getKey(s, 'old')?.rotated_to, 'new');
    assert.equal(getKey(s, 'new')?.rotated_from, 'old');
  });
});

test('a rotation overlap never extends an earlier expiry', () => {
  const events = [created('k', T0, T0 + DAY), at(T0, ApiKeyRotated, { key_id: 'k', successor_id: 'k2', overlap_until: new Date(T0 + 5 * DAY).toISOString(), rotated_by: null })];
  given(keysProjection, events).then((s) => assert.equal(keyStatus(s, 'k', T0 + DAY), 'expired'));
});

test('a listing is oldest first and never shows the secret hash', () => {
  given(keysProjection, [created('b', T0 + 1000), created('a', T0)]).then((s) => {
    const list = listKeys(s);
    assert.deepEqual(list.map((k) => k.id), ['a', 'b']);
    assert.ok(list.every((k) => !('secret_sha256' in k)));
    assert.ok(!JSON.stringify(list).includes(sha('secret-a')));
  });
});
