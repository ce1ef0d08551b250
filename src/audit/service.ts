/**
 * The audit log as a service: a ProjectionRunner set `audit` that keeps `<dataDir>/audit.db`
 * current from jarvis.security (rows and positions in one transaction), the reader over it,
 * the retention job, and a copy of the chain heads outside the log (audit-heads.jsonl and a log
 * line; the projector publishes them on the topic). Processes sharing a data directory (cluster
 * workers) share the file: one of them holds the runner's lock and writes, the others only read
 * and take over when the writer goes away.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SECURITY_TOPIC } from '../../events/index.ts';
import type { AuditConfig } from '../config/audit.ts';
import { errorMessage, silentLog, type LogSink } from '../eventlog/logger.ts';
import type { EventLog } from '../eventlog/types.ts';
import { ProjectionRunner } from '../projections/runner.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import type { ChainHead } from './chain.ts';
import { createPseudonymizer, type Pseudonymizer } from './hmac.ts';
import { auditProjection } from './projection.ts';
import { dropOldAuditSchema } from './schema.ts';
import type { AuditRecord } from './record.ts';
import { AuditStore } from './store.ts';
import { verifyAgainstLog, verifyStore, type VerifyReport } from './verify.ts';

export interface AuditDeps {
  readonly log: EventLog;
  readonly dataDir: string;
  readonly audit: AuditConfig;
  /** Consumer-group prefix (JARVIS_TOPIC_PREFIX + `jarvis.audit`). */
  readonly groupPrefix?: string;
  readonly clock?: Clock;
  readonly logger?: LogSink;
  /** Drop the read model and rebuild it from the topic. */
  readonly rebuild?: boolean;
  readonly settleMs?: number;
  /** 'full' fsyncs every stored batch (survives power loss); 'normal' survives a process crash. Default 'full'. */
  readonly durability?: 'full' | 'normal';
  /** Retention job period (default: an hour, or a tenth of the retention when shorter). */
  readonly pruneEveryMs?: number;
}

export interface Audit {
  readonly store: AuditStore;
  readonly pseudonyms: Pseudonymizer;
  readonly config: AuditConfig;
  /** Resolves once this process writes the read model and has caught up (never, for a reader). */
  readonly ready: Promise<void>;
  /** True when this process runs the projection (holds the lock). */
  writer(): boolean;
  /** Called with records as they are stored (in this process only; readers poll the store). */
  onStored(listener: (records: readonly AuditRecord[]) => void): () => void;
  verify(withLog: boolean): Promise<VerifyReport>;
  /** Runs retention now; returns how many records were dropped. */
  prune(nowMs: number): number;
  /** Writes the stored chain tips that moved since the last call to audit-heads.jsonl, the log output and the store. */
  publishHeads(nowMs: number): ChainHead[];
  stop(): Promise<void>;
}

/** An audit.db of the earlier layout (chains per topic partition) is dropped and rebuilt from the topic. */
function dropOldLayout(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 10000');
    return dropOldAuditSchema(db);
  } finally {
    db.close();
  }
}

/** Starts the audit read model (see the file comment). */
export async function startAudit(deps: AuditDeps): Promise<Audit> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLog;
  const file = path.join(deps.dataDir, 'audit.db');
  const headsFile = path.join(deps.dataDir, 'audit-heads.jsonl');
  const pseudonyms = createPseudonymizer(deps.audit.hmacKey, deps.audit.hmacIps);
  const listeners = new Set<(records: readonly AuditRecord[]) => void>();
  const projection = auditProjection({
    pseudonyms,
    onStored: (records) => listeners.forEach((l) => l(records)),
    onBreaks: (breaks) => logger.warn({ breaks: breaks.slice(0, 10), count: breaks.length }, 'audit: records arrived with a broken chain link (run jarvis audit verify)'),
  });
  let runner: ProjectionRunner | null = null;
  let stopped = false;
  let rebuild = (deps.rebuild ?? false) || dropOldLayout(file);
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  const published = new Map<string, number>();

  async function tryRun(): Promise<boolean> {
    const r = new ProjectionRunner({
      log: deps.log, file, setName: 'audit', groupPrefix: deps.groupPrefix ?? 'jarvis.audit', stores: [projection],
      rebuild, clock, logger, lockWaitMs: 0, ...(deps.settleMs !== undefined && { settleMs: deps.settleMs }),
      ...(deps.durability && { durability: deps.durability }),
    });
    try {
      await r.start();
    } catch (err) {
      if (/run by another process/.test(errorMessage(err))) return false;
      throw err;
    }
    rebuild = false;
    runner = r;
    void r.ready.then(resolveReady);
    return true;
  }

  if (!(await tryRun())) logger.info({ file }, 'audit: another process writes the audit log here; this one reads it');
  const store = new AuditStore(file, pseudonyms);

  const audit: Audit = {
    store,
    pseudonyms,
    config: deps.audit,
    ready,
    writer: () => runner !== null,
    onStored(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    verify: (withLog) => (withLog ? verifyAgainstLog(store, deps.log, SECURITY_TOPIC, pseudonyms, { groupPrefix: deps.groupPrefix ?? 'jarvis.audit' }) : Promise.resolve(verifyStore(store))),
    prune(nowMs) {
      const dropped = store.prune(nowMs - deps.audit.retentionMs);
      if (dropped > 0) logger.info({ dropped, retention_ms: deps.audit.retentionMs }, 'audit: retention dropped old records');
      return dropped;
    },
    publishHeads(nowMs) {
      // Only heads that moved: an idle log adds no lines.
      const tips = store.tips().filter((h) => published.get(h.partition) !== h.seq);
      for (const h of tips) published.set(h.partition, h.seq);
      const lines = tips.map((h) => JSON.stringify({ at: new Date(nowMs).toISOString(), partition: h.partition, seq: h.seq, hash: h.hash }));
      if (lines.length > 0) fs.appendFileSync(headsFile, lines.join('\n') + '\n');
      for (const h of tips) {
        store.recordHead(h, nowMs);
        logger.info({ partition: h.partition, seq: h.seq, hash: h.hash }, 'audit: chain head');
      }
      return tips;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await runner?.stop();
      runner = null;
      store.close();
    },
  };

  // One timer: take over when the writer went away, run retention, publish heads.
  const pruneEvery = deps.pruneEveryMs ?? Math.min(3_600_000, Math.max(1000, deps.audit.retentionMs / 10));
  let lastPrune = 0;
  let lastHeads = clock.now();
  let busy = false;
  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      if (!runner) await tryRun();
      if (!runner) return;
      const now = clock.now();
      if (now - lastPrune >= pruneEvery) {
        lastPrune = now;
        audit.prune(now);
      }
      if (now - lastHeads >= deps.audit.headEveryMs) {
        lastHeads = now;
        audit.publishHeads(now);
      }
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'audit: housekeeping failed; retrying');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), Math.min(5000, deps.audit.headEveryMs));
  timer.unref();
  return audit;
}
