/**
 * WAL checkpoints off the request thread. SQLite's automatic checkpoint runs inside whichever
 * commit crosses the threshold: on the request thread, that copied the WAL back into the
 * database (and fsynced it) about every 40 ms under load, and made an append of the embedded
 * log cost twice what the insert itself does. Here a worker thread runs a PASSIVE checkpoint of
 * each file every `intervalMs`, on its own connection; PASSIVE never blocks a reader or the
 * writer. The connections that write keep an automatic checkpoint as a backstop
 * (`WAL_BACKSTOP_PAGES`, set where each file is opened), which only fires when this worker is
 * absent or falls far behind.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { errorMessage, type LogSink } from '../eventlog/logger.ts';

/** `PRAGMA wal_autocheckpoint` for connections that write: 4000 pages (16 MB with 4 KiB pages). */
export const WAL_BACKSTOP_PAGES = 4000;

export interface CheckpointStats {
  /** Checkpoint passes over all files. */
  readonly passes: number;
  /** WAL frames copied back into the database files, in total. */
  readonly frames: number;
}

export interface WalCheckpointer {
  stats(): CheckpointStats;
  close(): Promise<void>;
}

// Plain JavaScript, evaluated in the worker: no loader needed, in development or in the build.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const Database = require(workerData.driver);
const open = new Map();
let passes = 0;
let frames = 0;
let reported = -1;
const warned = new Map();
function pass() {
  for (const file of workerData.files) {
    try {
      let db = open.get(file);
      if (!db) {
        if (!fs.existsSync(file) || !fs.existsSync(file + '-wal')) continue;
        db = new Database(file, { fileMustExist: true });
        db.pragma('busy_timeout = 0');
        open.set(file, db);
      }
      const [r] = db.pragma('wal_checkpoint(PASSIVE)');
      if (r && r.checkpointed > 0) frames += r.checkpointed;
    } catch (err) {
      const db = open.get(file);
      open.delete(file);
      try { if (db) db.close(); } catch {}
      const last = warned.get(file) || 0;
      if (Date.now() - last > 60000) {
        warned.set(file, Date.now());
        parentPort.postMessage({ error: String(err && err.message || err), file });
      }
    }
  }
  passes++;
  if (frames !== reported) {
    reported = frames;
    parentPort.postMessage({ passes, frames });
  }
}
setInterval(pass, workerData.intervalMs);
`;

/**
 * Starts the worker for `files` (absolute paths; a file that does not exist yet is picked up
 * when it does). Close it before the connections that write are closed.
 */
export function startWalCheckpointer(opts: { files: readonly string[]; intervalMs?: number; logger: LogSink }): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { files: [...opts.files], intervalMs: opts.intervalMs ?? 25, driver },
    // The parent's loaders and profilers are not needed by a few lines of CommonJS.
    execArgv: [],
    env: {},
  });
  worker.unref();
  let stats: CheckpointStats = { passes: 0, frames: 0 };
  worker.on('message', (m: { error?: string; file?: string; passes?: number; frames?: number }) => {
    if (m.error) opts.logger.warn({ file: m.file, err: m.error }, 'wal checkpoint failed; the writers\' own checkpoint takes over until it works again');
    else stats = { passes: m.passes ?? stats.passes, frames: m.frames ?? stats.frames };
  });
  worker.on('error', (err) => opts.logger.warn({ err: errorMessage(err) }, 'wal checkpointer stopped; the writers\' own checkpoint takes over'));
  return {
    stats: () => stats,
    async close() {
      await worker.terminate();
    },
  };
}
