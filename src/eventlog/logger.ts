/**
 * The logger shape the event log writes to: pino-compatible (object first, then message), so
 * the composition root can pass its pino logger. Nothing logged here ever holds a secret:
 * only topics, partitions, offsets, counts and error messages.
 */
export interface LogSink {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Drops everything; the default when no logger is given. */
export const silentLog: LogSink = { debug() {}, info() {}, warn() {}, error() {} };

/** A short message for an unknown thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
