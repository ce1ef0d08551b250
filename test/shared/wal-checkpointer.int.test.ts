/**
 * The WAL checkpointer copies committed pages back into the database file from a worker thread,
 * so the connection that writes never has to. Proved with a writer whose own automatic
 * checkpoint is off: its database file grows only if somebody else checkpoints.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { silentLog } from '../../src/eventlog/logger.ts';
import { startWalCheckpointer } from '../../src/shared/wal-checkpointer.ts';
import { eventually } from '../support/eventlog-harness.ts';

function writer(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)');
  return db;
}

/** About 2 MB of rows, committed in 20 transactions. */
function fill(db: Database.Database): void {
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const tx = db.transaction(() => {
    for (let i = 0; i < 100; i++) insert.run(Buffer.alloc(1000, i));
  });
  for (let i = 0; i < 20; i++) tx();
}

describe('WAL checkpointer', () => {
  it('checkpoints a file its writer never checkpoints, and stops when closed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jarvis-wal-'));
    const file = path.join(dir, 'data.db');
    const control = path.join(dir, 'control.db');
    const db = writer(file);
    const other = writer(control);
    fill(db);
    fill(other);
    const before = fs.statSync(file).size;
    assert.ok(before < 100_000, `the rows are in the WAL only (${before} bytes in the file)`);

    const checkpointer = startWalCheckpointer({ files: [file], intervalMs: 20, logger: silentLog });
    try {
      await eventually(() => fs.statSync(file).size > 1_500_000, 10_000, 'the database file received the pages from the WAL');
      await eventually(() => checkpointer.stats().frames > 0, 5_000, 'the checkpointer reports the frames it copied');
      assert.ok(fs.statSync(control).size < 100_000, 'a file it was not given is left alone');
      // Later commits are picked up too.
      fill(db);
      await eventually(() => fs.statSync(file).size > 3_000_000, 10_000, 'the next commits were checkpointed as well');
      assert.equal(db.prepare('SELECT COUNT(*) FROM t').pluck().get(), 4000, 'nothing lost on the way');
    } finally {
      await checkpointer.close();
    }
    const passes = checkpointer.stats().passes;
    fill(db);
    const size = fs.statSync(file).size;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(fs.statSync(file).size, size, 'after close() nothing checkpoints any more');
    assert.equal(checkpointer.stats().passes, passes);
    db.close();
    other.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('waits for a file that does not exist yet', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jarvis-wal-'));
    const file = path.join(dir, 'later.db');
    const checkpointer = startWalCheckpointer({ files: [file], intervalMs: 20, logger: silentLog });
    try {
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(fs.existsSync(file), false, 'the checkpointer did not create it');
      const db = writer(file);
      fill(db);
      await eventually(() => fs.statSync(file).size > 1_500_000, 10_000, 'checkpointed once it appeared');
      db.close();
    } finally {
      await checkpointer.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
