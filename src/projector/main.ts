/**
 * `npm run projector`: the projector as its own process (with Kafka, one for the deployment;
 * in embedded mode the API's primary runs it in-process unless JARVIS_PROJECTOR=external).
 * `npm run projector -- --rebuild` drops the projector's read models and replays the log from
 * the beginning, then keeps following it. `--exit-when-caught-up` exits 0 once caught up
 * (handy after a rebuild). SIGTERM/SIGINT: finish the batch in hand, snapshot, exit 0.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/config.ts';
import { errorMessage } from '../eventlog/logger.ts';
import { createLogger } from '../telemetry/logger.ts';
import { DATA_DIR_DATABASES } from '../shared/data-files.ts';
import { startWalCheckpointer } from '../shared/wal-checkpointer.ts';
import { startProjector } from './projector.ts';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (!['--rebuild', '--exit-when-caught-up'].includes(a)) {
    console.error(`jarvis projector: unknown argument ${a} (expected --rebuild, --exit-when-caught-up)`);
    process.exit(64); // EX_USAGE
  }
}

let config;
try {
  config = loadConfig(process.env, version);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`jarvis projector: configuration error: ${err.message}`);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

const logger = createLogger({ level: config.logLevel, base: { instance: config.instanceId, role: 'projector' } });
const rebuild = args.has('--rebuild');
const startedAt = Date.now();
let projector;
try {
  projector = await startProjector(config, { logger, rebuild });
} catch (err) {
  logger.error({ err: errorMessage(err) }, 'projector: could not start');
  process.exit(1);
}
// SQLite checkpoints of the data directory's files, on a worker thread instead of in the commits.
const checkpointer = startWalCheckpointer({ files: DATA_DIR_DATABASES.map((f) => path.join(config.dataDir, f)), logger });
logger.info({ eventLog: config.eventLog.kafkaBrokers ? 'kafka' : 'embedded', dataDir: config.dataDir, rebuild, group: projector.runner.consumerGroup }, 'projector started');

let stopping = false;
const stop = async (signal: string, code = 0) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal, stats: projector.stats() }, 'projector stopping');
  try {
    await checkpointer.close();
    await projector.stop();
  } catch (err) {
    logger.error({ err: errorMessage(err) }, 'projector: stop failed');
    code = 1;
  }
  logger.flush?.();
  process.exit(code);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

void projector.ready.then(() => {
  const seconds = (Date.now() - startedAt) / 1000;
  const stats = projector.stats();
  logger.info({ seconds, applied: stats.applied, eventsPerSecond: Math.round(stats.applied / Math.max(seconds, 0.001)), stats }, rebuild ? 'projector: rebuild caught up' : 'projector: caught up');
  if (args.has('--exit-when-caught-up')) void stop('caught-up');
});
