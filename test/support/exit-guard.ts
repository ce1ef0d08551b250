/**
 * For test files whose Kafka clients were seen (once, under heavy load) to keep a reconnect
 * timer alive after every client was closed: once the file's tests are done, the process
 * gets `graceMs` to exit on its own, then exits with the runner's code. The timer is unref'd,
 * so a clean file exits as usual and never waits for it.
 */
import { after } from 'node:test';

export function exitWhenDone(graceMs = 10_000): void {
  after(() => {
    setTimeout(() => process.exit(), graceMs).unref();
  });
}
