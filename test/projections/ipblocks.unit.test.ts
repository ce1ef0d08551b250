/** The IP block list: added by an admin or automatically, removed early, or expired. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpBlockAdded, IpBlockRemoved } from '../../events/index.ts';
import { activeBlocks, getBlock, ipBlocksProjection } from '../../src/projections/ipblocks/index.ts';
import { at, given } from '../support/projections-given.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const MIN = 60_000;

function added(id: string, cidr: string, t = T0, expiresAt: number | null = null, source: 'admin' | 'auto' = 'admin') {
  return at(t, IpBlockAdded, {
    block_id: id, cidr, expires_at: expiresAt === null ? null : new Date(expiresAt).toISOString(), reason: 'test',
    source, created_by: source === 'admin' ? 'admin' : null, created_at: new Date(t).toISOString(),
  });
}

test('a block is active until its expiry; a permanent one stays', () => {
  given(ipBlocksProjection, [added('b1', '203.0.113.0/24', T0, T0 + 15 * MIN), added('b2', '198.51.100.7')]).then((s) => {
    assert.deepEqual(activeBlocks(s, T0 + 14 * MIN).map((b) => b.cidr), ['203.0.113.0/24', '198.51.100.7']);
    assert.deepEqual(activeBlocks(s, T0 + 15 * MIN).map((b) => b.cidr), ['198.51.100.7']);
  });
});

test('a removed block is gone at once', () => {
  given(ipBlocksProjection, [added('b1', '203.0.113.9'), at(T0 + MIN, IpBlockRemoved, { block_id: 'b1', removed_by: 'admin' })]).then((s) => {
    assert.deepEqual(activeBlocks(s, T0 + MIN), []);
    assert.equal(getBlock(s, 'b1'), undefined);
  });
});

test('an automatic block carries its source and is forgotten once a later event passes its expiry', () => {
  const events = [added('auto-1', '192.0.2.1', T0, T0 + 15 * MIN, 'auto'), added('b2', '192.0.2.2', T0 + 20 * MIN)];
  given(ipBlocksProjection, events).then((s) => {
    assert.equal(getBlock(s, 'auto-1'), undefined);
    assert.equal(activeBlocks(s, T0 + 20 * MIN).length, 1);
  });
  given(ipBlocksProjection, events.slice(0, 1)).then((s) => assert.equal(activeBlocks(s, T0)[0]?.source, 'auto'));
});
