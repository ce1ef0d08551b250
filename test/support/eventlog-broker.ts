/**
 * A second, private Kafka broker for tests that must stop and restart it (the shared one on
 * 9092 stays up for everyone else). It is started and stopped by the project's own scripts,
 * under its own instance name, ports and data directory in .run/.
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface PrivateBroker {
  readonly brokers: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

export async function privateBroker(label: string): Promise<PrivateBroker> {
  const port = await freePort();
  // start.sh would put its SASL listeners on port + 1 and + 2, which another process may hold.
  const env = {
    ...process.env,
    KAFKA_INSTANCE: `kafka-${label}-${process.pid}`,
    KAFKA_PORT: String(port),
    KAFKA_SASL_PORT: String(await freePort()),
    KAFKA_SASL_SSL_PORT: String(await freePort()),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
  };
  const script = (name: string, ...args: string[]) => run('bash', [path.join(ROOT, 'scripts/kafka', name), ...args], { env, cwd: ROOT, timeout: 120_000 });
  return {
    brokers: [`127.0.0.1:${port}`],
    start: async () => void (await script('start.sh')),
    stop: async () => void (await script('stop.sh')),
    destroy: async () => void (await script('stop.sh', '--wipe')),
  };
}
