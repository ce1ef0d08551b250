/**
 * `node --import tsx bench/audit.ts [--events N] [--runs R] [--keep DIR]`: filtered audit queries
 * over a large read model. Stores N security records (default 1,000,000) through the real audit
 * projection (chain hashing, every index) into a fresh audit.db, then times one page (limit 100,
 * newest first) per filter — R runs each with varying values, the first page and the page after
 * a cursor — and prints the median and p99 per filter. The target: both under 200 ms.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SECURITY_EVENT_KINDS, type SecurityEventType } from '../events/index.ts';
import type { AuditFilters } from '../src/audit/filters.ts';
import { createPseudonymizer } from '../src/audit/hmac.ts';
import { auditProjection } from '../src/audit/projection.ts';
import { groupStats } from '../src/audit/stats.ts';
import { AuditStore } from '../src/audit/store.ts';
import { securityRecord } from '../src/projections/security/records.ts';
import type { AppliedEvent } from '../src/projections/types.ts';

const { values } = parseArgs({ options: { events: { type: 'string' }, runs: { type: 'string' }, keep: { type: 'string' } } });
const N = Number(values.events ?? 1_000_000);
const RUNS = Number(values.runs ?? 50);
const dir = values.keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'jarvis-bench-audit-'));
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, 'audit.db');

// A deterministic generator, so runs are comparable.
let seed = 42;
const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
const KINDS = Object.keys(SECURITY_EVENT_KINDS) as SecurityEventType[];
const IPS = Array.from({ length: 20_000 }, (_, i) => (i % 5 === 0 ? `2001:db8:${(i >> 8).toString(16)}::${(i & 255).toString(16)}` : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
const PRINCIPALS = Array.from({ length: 500 }, (_, i) => `key_${i.toString(36).padStart(4, '0')}`);
const END = Date.parse('2026-06-01T00:00:00Z');
const SPAN = 30 * 86_400_000;
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');

function fill(): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const p = auditProjection({ pseudonyms: createPseudonymizer(undefined, false) });
  p.setup(db);
  const started = Date.now();
  const batch = 5000;
  for (let i = 0; i < N; i += batch) {
    const events: AppliedEvent[] = [];
    for (let k = i; k < Math.min(N, i + batch); k++) {
      const t = END - SPAN + Math.floor((k / N) * SPAN);
      const kind = rnd() < 0.6 ? 'jarvis.security.auth_failed.v1' : pick(KINDS);
      const traceId = hex(32);
      const d = securityRecord('/bench', kind, { id: `cause-${k}`, time: new Date(t).toISOString(), traceparent: `00-${traceId}-0123456789abcdef-01` }, {
        ip: rnd() < 0.9 ? pick(IPS) : null, principal: rnd() < 0.5 ? pick(PRINCIPALS) : null, request_id: `req-${k}`,
        outcome: pick(['denied', 'blocked', 'detected', 'changed', 'granted'] as const), reason: 'unknown_key',
        details: { stage: 'authentication', method: 'api_key', route: pick(['/chat', '/status', '/admin/keys', '/v1/audio/speech']) },
      });
      events.push({ envelope: d.envelope, topic: 'jarvis.security', partition: k % 3, offset: String(k), timestamp: t });
    }
    db.transaction(() => p.applyBatch(db, events))();
    if ((i / batch) % 40 === 0) process.stderr.write(`\rstored ${i + events.length} of ${N}`);
  }
  db.pragma('optimize');
  db.close();
  process.stderr.write(`\rstored ${N} records in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (!fs.existsSync(file)) fill();
const store = new AuditStore(file, createPseudonymizer(undefined, false));
const size = fs.statSync(file).size;
const count = store.count();
const nowMs = END;

// Filters as an analyst uses them; values vary per run so caches do not flatter the numbers.
const sample = store.page({}, 1000, undefined, nowMs).events;
const cases: Record<string, () => AuditFilters> = {
  'none (newest page)': () => ({}),
  'type': () => ({ type: pick(['auth_failed', 'rate_limit_exceeded', 'permission_denied', 'admin_action']) }),
  'type + since 1h': () => ({ type: 'auth_failed', since: '1h' }),
  'since 7d until 6d': () => ({ since: '7d', until: '6d' }),
  'ip (address)': () => ({ ip: pick(IPS) }),
  'ip (IPv4 /24 CIDR)': () => ({ ip: `10.0.${Math.floor(rnd() * 70)}.0/24` }),
  'ip (IPv6 /48 CIDR)': () => ({ ip: `2001:db8:${Math.floor(rnd() * 15).toString(16)}::/48` }),
  'principal': () => ({ principal: pick(PRINCIPALS) }),
  'principal + type + since 7d': () => ({ principal: pick(PRINCIPALS), type: 'auth_failed', since: '7d' }),
  'request_id': () => ({ request_id: `req-${Math.floor(rnd() * count)}` }),
  'trace_id': () => ({ trace_id: pick(sample).data.trace_id! }),
  'outcome': () => ({ outcome: pick(['blocked', 'granted']) }),
  'ip + type + since 30d': () => ({ ip: pick(IPS), type: 'auth_failed', since: '30d' }),
};

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const rows: string[] = [];
let worst = 0;
for (const [name, make] of Object.entries(cases)) {
  const first: number[] = [];
  const second: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const f = make();
    let t = process.hrtime.bigint();
    const page = store.page(f, 100, undefined, nowMs);
    first.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (page.next_cursor) {
      t = process.hrtime.bigint();
      store.page(f, 100, page.next_cursor, nowMs);
      second.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  const all = [...first, ...second];
  worst = Math.max(worst, pct(all, 99));
  rows.push(`${name.padEnd(30)} ${pct(all, 50).toFixed(2).padStart(8)} ${pct(all, 99).toFixed(2).padStart(8)} ${String(all.length).padStart(6)}`);
}
const statsTimes: number[] = [];
for (let r = 0; r < 10; r++) {
  const t = process.hrtime.bigint();
  groupStats(store, createPseudonymizer(undefined, false), { type: 'auth_failed', since: '1h' }, 'ip', 2, 100, nowMs);
  statsTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
}
console.log(`audit.db: ${count.toLocaleString('en')} records, ${(size / 1e6).toFixed(0)} MB (${file})`);
console.log(`one page of 100, newest first; ${RUNS} runs per filter (first page and the page after its cursor)\n`);
console.log(`${'filter'.padEnd(30)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'pages'.padStart(6)}`);
for (const r of rows) console.log(r);
console.log(`\nstats (auth_failed, since 1h, by ip): p50 ${pct(statsTimes, 50).toFixed(2)} ms, max ${Math.max(...statsTimes).toFixed(2)} ms`);
console.log(`worst p99: ${worst.toFixed(2)} ms — ${worst < 200 ? 'under' : 'OVER'} the 200 ms target`);
store.close();
if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
process.exitCode = worst < 200 ? 0 : 1;
