/**
 * `npm run bench:rebuild [-- --events N] [--batch N] [--keep] [--no-tune]`: how fast the projections rebuild from the log.
 * Writes N realistic events (default 1,000,000; test/support/projections-stream.ts) into a fresh
 * embedded log in a temporary data directory, then rebuilds every projection — sessions, keys,
 * IP blocks, rate counters and the security derivation — with the real runner (decode,
 * validate, dedupe, evolve, journal/snapshot in SQLite), and prints events per second and the
 * peak RSS and heap. Derived events are counted, not published, so the log stays as written.
 *
 * `--batch N` reads the log in batches of N records instead of the embedded log's default (500):
 * every batch costs the log an fsynced position commit, so larger batches catch up faster.
 *
 * A rebuild allocates a short-lived envelope per event; a larger young generation
 * (--max-semi-space-size=32, the same advice holds for the projector process) saves about a
 * tenth of the CPU, so the benchmark re-runs itself with it unless --no-tune is given.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CATALOG, type Envelope } from '../events/index.ts';
import { loadConfig } from '../src/config/config.ts';
import { EmbeddedEventLog } from '../src/eventlog/embedded/log.ts';
import { createEventLog } from '../src/eventlog/factory.ts';
import { catalogTopics } from '../src/eventlog/topics.ts';
import { ipBlocksProjection } from '../src/projections/ipblocks/index.ts';
import { keysProjection } from '../src/projections/keys/index.ts';
import { rateCountersProjection } from '../src/projections/ratelimit/index.ts';
import { ProjectionRunner } from '../src/projections/runner.ts';
import { securityDerivation } from '../src/projections/security/index.ts';
import { sessionsProjection } from '../src/projections/sessions/index.ts';
import type { Projection } from '../src/projections/types.ts';
import { keyOf, recordOf } from '../test/support/projections-log.ts';
import { realisticEvents } from '../test/support/projections-stream.ts';

const argv = process.argv.slice(2);
const TUNING = '--max-semi-space-size=32';
if (!argv.includes('--no-tune') && !process.execArgv.includes(TUNING)) {
  const r = spawnSync(process.execPath, [TUNING, ...process.execArgv, process.argv[1]!, ...argv], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const arg = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const N = Number(arg('--events') ?? 1_000_000);
const keep = argv.includes('--keep');
const batch = arg('--batch') === undefined ? null : Number(arg('--batch'));
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jarvis-bench-rebuild-'));
const config = loadConfig({ NODE_ENV: 'test', JARVIS_DATA_DIR: dir, JARVIS_LOG_LEVEL: 'silent' });
const log = batch === null ? createEventLog(config) : new EmbeddedEventLog({ file: path.join(dir, 'eventlog.db'), topics: catalogTopics(), consumer: { maxBatchRecords: batch } });
await log.start();

const projections = [
  sessionsProjection, keysProjection, ipBlocksProjection,
  rateCountersProjection({ maxWindowMs: Math.max(config.rateLimit.api.windowMs, config.rateLimit.stream.windowMs) }),
  securityDerivation({ bruteForceThreshold: config.auth.bruteForceThreshold, bruteForceWindowMs: config.auth.bruteForceWindowMs, bruteForceBlockMs: config.auth.bruteForceBlockMs, keyExpiryWarningMs: config.auth.keyExpiryWarningMs }),
] as Projection<unknown>[];
const topics = new Set(projections.flatMap((p) => p.topics));

console.log(`writing ${N.toLocaleString('en')} events into ${path.join(dir, 'eventlog.db')} …`);
let t = performance.now();
let relevant = 0;
let chunk: Envelope[] = [];
for (const e of realisticEvents(N, { seed: 2026 })) {
  if (topics.has(CATALOG.get(e.type)!.topic)) relevant++;
  chunk.push(e);
  if (chunk.length === 5000) {
    await log.append(chunk.map((x) => recordOf(x, keyOf(x))));
    chunk = [];
  }
}
if (chunk.length > 0) await log.append(chunk.map((x) => recordOf(x, keyOf(x))));
const writeSeconds = (performance.now() - t) / 1000;
console.log(`  written in ${writeSeconds.toFixed(1)} s (${Math.round(N / writeSeconds).toLocaleString('en')} events/s); ${relevant.toLocaleString('en')} are on topics the projections read`);

if (global.gc) global.gc();
const base = process.memoryUsage();
let peakRss = base.rss;
let peakHeap = base.heapUsed;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 50);

const cpu0 = process.cpuUsage();
let emitted = 0;
const runner = new ProjectionRunner({
  log, file: path.join(dir, 'projections.db'), setName: 'bench', projections, rebuild: true,
  publish: async (events) => void (emitted += events.length),
});
t = performance.now();
await runner.start();
await new Promise<void>((resolve) => {
  const check = setInterval(() => {
    if (runner.stats.applied + runner.stats.duplicates >= relevant) {
      clearInterval(check);
      resolve();
    }
  }, 5);
});
const seconds = (performance.now() - t) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
clearInterval(sampler);
const m = process.memoryUsage();
peakRss = Math.max(peakRss, m.rss, process.resourceUsage().maxRSS * 1024);
peakHeap = Math.max(peakHeap, m.heapUsed);
await runner.stop();
await log.close();

const stats = runner.stats;
console.log(`rebuilt ${projections.map((p) => p.name).join(', ')} in ${seconds.toFixed(2)} s (log read in batches of ${batch ?? 'the default 500'})`);
console.log(`  ${Math.round(stats.applied / seconds).toLocaleString('en')} events/s applied (${stats.applied.toLocaleString('en')} events, ${stats.batches} batches, ${stats.snapshots} snapshots)`);
console.log(`  ${Math.round(N / seconds).toLocaleString('en')} log events/s (all ${N.toLocaleString('en')}, counting those on topics no projection reads)`);
console.log(`  ${Math.round(stats.applied / cpuSeconds).toLocaleString('en')} events per CPU-second (${cpuSeconds.toFixed(2)} s of CPU: user ${(cpu.user / 1e6).toFixed(2)}, system ${(cpu.system / 1e6).toFixed(2)})`);
console.log(`  derived: ${emitted.toLocaleString('en')} security events and automatic blocks`);
console.log(`  peak RSS ${mb(peakRss)}, peak heap ${mb(peakHeap)} (before the rebuild: RSS ${mb(base.rss)}, heap ${mb(base.heapUsed)})`);
console.log(`  machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version} ${process.execArgv.filter((a) => a.startsWith('--max')).join(' ')}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
if (keep) console.log(`kept ${dir}`);
else fs.rmSync(dir, { recursive: true, force: true });
