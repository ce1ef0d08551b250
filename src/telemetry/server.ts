/**
 * The metrics listener: a bare node:http server on JARVIS_METRICS_HOST:JARVIS_METRICS_PORT,
 * separate from the API (so the API port can answer 404 for /metrics and the scrape port can
 * be firewalled on its own). GET or HEAD /metrics answers the exposition; anything else 404.
 *
 * Single process: serves the registry it is given. Cluster (`clusterMode: true`, in the
 * primary): asks every worker for its metrics through prom-client's AggregatorRegistry and
 * serves the combination; each worker calls `exposeToCluster(registry)`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry, type Registry } from 'prom-client';

export interface MetricsServerOptions {
  readonly host: string;
  readonly port: number;
  /** The registry to serve (single process). */
  readonly registry?: Registry;
  /** Serve the aggregate of all cluster workers (call in the primary). */
  readonly clusterMode?: boolean;
}

export interface MetricsServer {
  /** `http://host:port/metrics` with the bound port (useful with port 0). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** In a cluster worker: answer the primary's metric requests from this registry. */
export function exposeToCluster(registry: Registry): void {
  // The constructor installs the worker-side message listener (once per process).
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}

/** Starts the metrics listener. Resolves once it is listening. */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, clusterMode = false } = options;
  if (!registry && !clusterMode) throw new TypeError('serveMetrics needs a registry or clusterMode: true');
  const aggregator = clusterMode ? new AggregatorRegistry() : undefined;

  const render = async (): Promise<{ body: string; contentType: string }> => {
    if (aggregator) return { body: await aggregator.clusterMetrics(), contentType: aggregator.contentType };
    const reg = registry as Registry;
    return { body: await reg.metrics(), contentType: reg.contentType };
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('not found\n');
      return;
    }
    render().then(
      ({ body, contentType }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => {
        // A worker that does not answer (prom-client times out after 5 s) fails the scrape,
        // which Prometheus records as up == 0: better than serving partial sums as if whole.
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end('metrics unavailable\n');
      },
    );
  });
  // Scrapers keep connections open; do not let them hold the process at shutdown.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostForUrl}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
