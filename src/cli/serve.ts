/**
 * The process entry of `npm start`: bootstraps a development environment, parses the
 * configuration once, and runs the API — in this process, or as JARVIS_WORKERS cluster
 * workers sharing the port (the primary then serves the aggregated metrics). SIGTERM/SIGINT:
 * stop accepting, finish in-flight requests, flush the outbox, exit.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { bootstrapEnv, markKeysShown, type Bootstrapped } from '../config/bootstrap.ts';
import { ConfigError, describeConfig, loadConfig, type Config } from '../config/config.ts';
import { keepAdmissions } from '../cluster/admissions.ts';
import { workerInstanceId } from '../cluster/membership.ts';
import { relaySiblings, workerChannel } from '../cluster/siblings.ts';
import { keepStreamLedger } from '../http/stream-slots.ts';
import { metricsFor, startJarvis } from '../main.ts';
import { createLogger } from '../telemetry/logger.ts';
import { exposeToCluster, serveMetrics } from '../telemetry/server.ts';
import { startProjector } from '../projector/projector.ts';
import { securityEvent, type SecurityEventRecord } from '../telemetry/logger.ts';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function configure(): { config: Config; boot: Bootstrapped } {
  try {
    const boot = bootstrapEnv(process.env);
    return { config: loadConfig(boot.env, version), boot };
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`jarvis: configuration error: ${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

async function runWorker(config: Config, clustered: boolean): Promise<void> {
  const workerId = cluster.worker?.id ?? 0;
  const instanceId = clustered ? workerInstanceId(config.instanceId, workerId) : config.instanceId;
  const cfg = { ...config, instanceId } as Config;
  const logger = createLogger({ level: cfg.logLevel, base: { instance: instanceId } });
  const metrics = metricsFor(cfg);
  if (clustered) exposeToCluster(metrics.registry);
  const jarvis = await startJarvis(cfg, { logger, metrics, noMetricsListener: clustered, ...(clustered && { viewsSet: `views-w${workerId}`, runProjector: false, cluster: { channel: workerChannel(workerId), instanceId: config.instanceId, workers: config.workers } }) });
  logger.info({ url: jarvis.url, metrics: jarvis.metricsUrl, config: describeConfig(cfg) }, 'jarvis api listening');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests and flushing events');
    await jarvis.close(10_000);
    logger.flush?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function runPrimary(config: Config): Promise<void> {
  const logger = createLogger({ level: config.logLevel, base: { instance: config.instanceId, role: 'primary' } });
  const metricsServer = await serveMetrics({ host: config.http.metricsHost, port: config.http.metricsPort, clusterMode: true });
  // The workers share the port; the projector runs once, here (unless JARVIS_PROJECTOR=external).
  const projector = config.eventLog.projector === 'inprocess' ? await startProjector(config, { logger, onSecurityRecord: (r) => securityEvent(logger, r as SecurityEventRecord) }) : null;
  // Stream URLs and conversations are held by the worker that served them; the others ask through here.
  relaySiblings(cluster);
  // The cap on open streams per principal holds for the instance, not per worker.
  keepStreamLedger(cluster, config.http.maxStreamsPerPrincipal);
  // Rate limits are counted here for the whole instance, so they stay exact across workers.
  keepAdmissions(cluster, config.rateLimit);
  for (let i = 0; i < config.workers; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.warn({ worker: worker.id, code, signal }, 'worker exited; starting another');
    cluster.fork();
  });
  const stop = async () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      const check = () => (Object.keys(cluster.workers ?? {}).length === 0 ? resolve() : setTimeout(check, 100));
      check();
    });
    await projector?.stop();
    await metricsServer.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  logger.info({ workers: config.workers, metrics: metricsServer.url }, 'jarvis primary started');
}

const { config, boot } = configure();
if (cluster.isPrimary && boot.file && boot.unshown.length > 0) {
  console.log('\nGenerated on first start (kept in JARVIS_DATA_DIR/bootstrap.json, shown only this once):');
  for (const k of boot.unshown) console.log(`  ${k.label}: ${k.key}`);
  console.log('');
  markKeysShown(boot.file);
} else if (cluster.isPrimary && boot.file && boot.generatedKeys) {
  console.log(`jarvis: using the keys generated on first start, kept in ${boot.file}`);
}
if (config.workers > 1 && cluster.isPrimary) await runPrimary(config);
else await runWorker(config, config.workers > 1);
