/**
 * A two-worker node:cluster process for the aggregation test: each worker builds its own
 * registry (as src/cli/serve.ts does), records known values and hands its registry to the
 * primary; the primary serves the aggregate and prints its URL, then waits to be killed.
 */
import cluster from 'node:cluster';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { exposeToCluster, serveMetrics } from '../../src/telemetry/server.ts';

if (cluster.isPrimary) {
  const server = await serveMetrics({ host: '127.0.0.1', port: 0, clusterMode: true });
  let ready = 0;
  for (let i = 0; i < 2; i++) {
    cluster.fork().on('message', (m: unknown) => {
      if (m === 'ready' && ++ready === 2) console.log(`METRICS ${server.url}`);
    });
  }
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    void server.close().then(() => process.exit(0));
  });
} else {
  const id = cluster.worker?.id ?? 0;
  const m = createMetrics({ version: '1.0.0' });
  exposeToCluster(m.registry);
  // Per-process quantities: requests and queue depth sum across workers.
  for (let i = 0; i < 10 * id; i++) m.observeHttp({ method: 'GET', route: '/status', status: 200, seconds: 0.01 });
  m.ttsQueueDepth.set({}, 3);
  // Shared state every worker projects alike: sessions take the max, not the sum.
  m.activeSessions.set({}, 7);
  // The worst breaker wins.
  m.setBreakerState('local', id === 1 ? 'open' : 'closed');
  m.projectionRebuildProgress.set({ projection: 'sessions' }, id === 1 ? 0.25 : 1);
  process.send?.('ready');
}
