/**
 * One process at a time runs a projection set: two runners writing the same set's snapshot
 * would corrupt it. The holder renews a lease row in projections.db; another process waits
 * for it to expire — or takes it at once when the holder's PID on this machine is gone (a
 * crash). Leases use wall time, as they are shared between processes.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class SetLock {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private readonly s;

  constructor(private readonly db: Database.Database, private readonly setName: string, private readonly leaseMs = 15_000) {
    db.exec('CREATE TABLE IF NOT EXISTS runner_locks (set_name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL)');
    this.s = {
      take: db.prepare(`INSERT INTO runner_locks (set_name, owner, expires_at) VALUES (?, ?, ?)
        ON CONFLICT (set_name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
        WHERE runner_locks.owner = excluded.owner OR runner_locks.expires_at <= ?`),
      holder: db.prepare('SELECT owner FROM runner_locks WHERE set_name = ?').pluck(),
      steal: db.prepare('UPDATE runner_locks SET owner = ?, expires_at = ? WHERE set_name = ? AND owner = ?'),
      release: db.prepare('DELETE FROM runner_locks WHERE set_name = ? AND owner = ?'),
    };
  }

  private tryTake(): boolean {
    const now = Date.now();
    if (this.s.take.run(this.setName, this.owner, now + this.leaseMs, now).changes > 0) return true;
    const holder = this.s.holder.get(this.setName) as string | undefined;
    const [host, pid] = holder?.split(':') ?? [];
    if (holder && host === hostname() && !alive(Number(pid))) {
      return this.s.steal.run(this.owner, now + this.leaseMs, this.setName, holder).changes > 0;
    }
    return false;
  }

  /** Takes the lock, waiting up to `waitMs` for another holder's lease to run out. */
  async acquire(waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    while (!this.tryTake()) {
      if (Date.now() >= deadline) {
        throw new Error(`projection set "${this.setName}" is run by another process (${String(this.s.holder.get(this.setName))}); stop it first`);
      }
      await sleep(Math.min(500, this.leaseMs / 4));
    }
    this.timer = setInterval(() => {
      try {
        this.tryTake();
      } catch {
        // a busy database: the next renewal retries well before the lease runs out
      }
    }, Math.max(100, this.leaseMs / 3));
    this.timer.unref();
  }

  release(): void {
    clearInterval(this.timer);
    try {
      this.s.release.run(this.setName, this.owner);
    } catch {
      // the lease simply expires
    }
  }
}
