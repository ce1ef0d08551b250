import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveClients } from '../../src/audit/live.ts';
import { isAppError } from '../../src/shared/errors.ts';

test('live clients are bounded: one more is refused with 503 and Retry-After, a leaving one frees its place, shutdown ends all', () => {
  const clients = new LiveClients(2);
  const ended: number[] = [];
  const release1 = clients.add(() => ended.push(1));
  clients.add(() => ended.push(2));
  assert.throws(() => clients.add(() => {}), (e: unknown) => isAppError(e) && e.status === 503 && e.code === 'ERR_AUDIT_LIVE_FULL' && e.headers['Retry-After'] === '10');
  release1();
  clients.add(() => ended.push(3));
  clients.closeAll();
  assert.deepEqual(ended.sort(), [2, 3]);
});
