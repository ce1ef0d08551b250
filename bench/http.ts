/**
 * `npm run bench`: Jarvis's authenticated GET /status (API key and JWT) and POST /chat (against a
 * loopback OpenAI-compatible stand-in), beside bare Koa and raw node:http serving the same JSON,
 * measured in the same run, interleaved in rounds. Prints medians and ratios to bare Koa.
 * Three more references bound what any Koa design can reach here (bench/servers/):
 * - koa-headers: Koa setting Jarvis's 20 response headers and nothing else — the ceiling of any Koa
 *   pipeline that answers as the contract asks;
 * - koa-events-offthread: that, plus the two events an authenticated GET /status publishes, built
 *   and serialized on the request thread and written to an embedded-log file by a worker thread —
 *   the cheapest durable write we could make, no checks, no consumers;
 * - koa-events: the same two events through Jarvis's own publisher and embedded log.
 * Options: --duration S (per measurement, default 5), --rounds N (default 3), --connections C (50).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const duration = arg('duration', 5);
const rounds = arg('rounds', 3);
const connections = arg('connections', 50);
const KEY = 'bench-key-0123456789abcdef';

async function start(file: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(file, import.meta.url).pathname], { env: { ...process.env, BENCH_KEY: KEY }, stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    rl.on('line', (line) => line.startsWith('READY ') && resolve(line.slice(6)));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
  return { url, child };
}

interface Sample { rps: number; p50: number; p99: number; errors: number; non2xx: number }

async function measure(url: string, opts: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }): Promise<Sample> {
  const r = await autocannon({ url, connections, duration, pipelining: 1, method: opts.method ?? 'GET', headers: opts.headers, body: opts.body });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const raw = await start('./servers/raw.ts');
const koa = await start('./servers/koa.ts');
const koaHeaders = await start('./servers/koa-headers.ts');
const koaEventsOffthread = await start('./servers/koa-events-offthread.ts');
const koaEvents = await start('./servers/koa-events.ts');
const jarvis = await start('./servers/jarvis.ts');
try {
  const token = ((await (await fetch(`${jarvis.url}/auth/token`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } })).json()) as { access_token: string }).access_token;
  const cases: [string, string, Parameters<typeof measure>[1]][] = [
    ['raw node:http', raw.url + '/status', {}],
    ['bare Koa', koa.url + '/status', {}],
    ["Koa + Jarvis's response headers", koaHeaders.url + '/status', {}],
    ['… + two events, written off-thread', koaEventsOffthread.url + '/status', {}],
    ["… + two events, Jarvis's publisher", koaEvents.url + '/status', {}],
    ['jarvis GET /status (API key)', jarvis.url + '/status', { headers: { authorization: `Bearer ${KEY}` } }],
    ['jarvis GET /status (JWT)', jarvis.url + '/status', { headers: { authorization: `Bearer ${token}` } }],
    ['jarvis POST /chat (stand-in LLM)', jarvis.url + '/chat', { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Hello Jarvis' }) }],
  ];
  // Warm-up: JIT, connection pools, SQLite pages.
  for (const [, url, o] of cases) await autocannon({ url, connections, duration: 2, method: o.method ?? 'GET', headers: o.headers, body: o.body });
  const samples = new Map<string, Sample[]>(cases.map(([n]) => [n, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const [name, url, o] of cases) {
      const s = await measure(url, o);
      samples.get(name)!.push(s);
      console.error(`round ${round}: ${name}: ${Math.round(s.rps)} req/s, p50 ${s.p50} ms, p99 ${s.p99} ms${s.non2xx || s.errors ? `, ${s.non2xx} non-2xx, ${s.errors} errors` : ''}`);
    }
  }
  const koaRps = median(samples.get('bare Koa')!.map((s) => s.rps));
  console.log(`\nJarvis HTTP benchmark: ${rounds} interleaved rounds × ${duration} s, ${connections} connections, medians (node ${process.version})`);
  console.log('| case | req/s | p50 ms | p99 ms | vs bare Koa | non-2xx |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [name] of cases) {
    const ss = samples.get(name)!;
    const rps = median(ss.map((s) => s.rps));
    console.log(`| ${name} | ${Math.round(rps)} | ${median(ss.map((s) => s.p50))} | ${median(ss.map((s) => s.p99))} | ${(rps / koaRps * 100).toFixed(0)}% | ${ss.reduce((a, s) => a + s.non2xx + s.errors, 0)} |`);
  }
} finally {
  for (const p of [raw, koa, koaHeaders, koaEventsOffthread, koaEvents, jarvis]) p.child.kill('SIGTERM');
}
