/**
 * The ids a projection set deduplicates by survive a restart, and storing them costs what was
 * added since the last snapshot, not the whole window: each snapshot adds one chunk, and chunks
 * the window no longer needs are dropped. A store written before chunks existed is still read.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecentIds } from '../../src/projections/runner/recent-ids.ts';
import { openProjectionsDb, RunnerStore } from '../../src/projections/runner/store.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jarvis-recent-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `e${from + i}`);

function snapshotWith(store: RunnerStore, recent: RecentIds): void {
  store.commit({ positions: new Map(), snapshot: { states: new Map(), newIds: recent.takeNew(), keepIds: recent.capacity, at: Date.now() } }, () => {});
}

describe('recent event ids in the projections store', () => {
  test('a restart dedupes against the last window of ids, stored chunk by chunk', () => {
    const file = path.join(dir, 'chunks.db');
    const db = openProjectionsDb(file);
    const store = new RunnerStore(db, 'set');
    store.createMeta({ generation: 'g1', suppressThrough: {}, building: false }, 0);
    const recent = new RecentIds(100);
    for (let round = 0; round < 10; round++) {
      for (const id of ids(round * 30, 30)) recent.add(id);
      snapshotWith(store, recent);
    }
    const chunks = db.prepare('SELECT count FROM runner_recent WHERE set_name = ? ORDER BY seq').pluck().all('set') as number[];
    assert.ok(chunks.every((n) => n === 30), 'each snapshot stored only its 30 new ids');
    assert.ok(chunks.length <= 5, `old chunks are dropped (${chunks.length} kept)`);
    db.close();

    const reopened = new RunnerStore(openProjectionsDb(file), 'set');
    const restored = new RecentIds(100, reopened.recentIds());
    assert.equal(restored.size, 100);
    assert.equal(restored.add('e299'), false, 'the newest id is known after a restart');
    assert.equal(restored.add('e200'), false, 'so is the oldest of the window');
    assert.equal(restored.add('e199'), true, 'older ids have left the window');
    assert.deepEqual(restored.takeNew(), ['e199'], 'what a store starts with counts as persisted');
    reopened.db.close();
  });

  test('a store that kept all ids in one column is read, and replaced by chunks on the next snapshot', () => {
    const file = path.join(dir, 'legacy.db');
    const db = openProjectionsDb(file);
    const store = new RunnerStore(db, 'set');
    store.createMeta({ generation: 'g1', suppressThrough: {}, building: false }, 0);
    db.prepare('UPDATE runner_sets SET recent_ids = ? WHERE set_name = ?').run(JSON.stringify(ids(0, 10)), 'set');
    const recent = new RecentIds(100, store.recentIds());
    assert.equal(recent.has('e9'), true);
    recent.add('new');
    snapshotWith(store, recent);
    assert.equal(db.prepare('SELECT recent_ids FROM runner_sets WHERE set_name = ?').pluck().get('set'), '[]');
    assert.deepEqual(store.recentIds(), [...ids(0, 10), 'new'], 'chunks replace the legacy column, keeping its ids');
    db.close();
  });
});
