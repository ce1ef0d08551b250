/**
 * The JSON logger (pino). Every line carries the active trace and span ids (a mixin reads
 * them from OpenTelemetry's context, so it works with or without the SDK), a request logger
 * adds the request id, and credential-looking fields are censored before they are written.
 * Security events are also written as lines whose message starts with `SECURITY_EVENT`,
 * so `grep SECURITY_EVENT api.log` finds them, as the README promises.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Envelope } from '../../events/envelope.ts';
import type { SecurityEventData } from '../../events/security.ts';
import type { Clock } from '../shared/clock.ts';
import { SECURITY_EVENT_MARKER, SERVICE_NAME } from './names.ts';
import { LOG_REDACT_PATHS, REDACTED } from './redact.ts';
import { currentSpanId, currentTraceId } from './tracing.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** pino level (config.logLevel). */
  readonly level: string;
  /** Where lines go; default stdout. Tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
  /** Fixed fields on every line (e.g. instance id, version); never a secret. */
  readonly base?: Record<string, string | number>;
  /** Time source for the `time` field (ISO 8601). */
  readonly clock?: Clock;
}

/** Creates the process logger. */
export function createLogger(options: LoggerOptions): Logger {
  const clock = options.clock;
  return pino(
    {
      level: options.level,
      base: { service: SERVICE_NAME, ...options.base },
      messageKey: 'msg',
      timestamp: clock ? () => `,"time":"${new Date(clock.now()).toISOString()}"` : pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...LOG_REDACT_PATHS], censor: REDACTED },
      mixin() {
        const traceId = currentTraceId();
        if (!traceId) return {};
        return { trace_id: traceId, span_id: currentSpanId() };
      },
      // Errors: name, code and message only. Stacks would reveal paths and library names,
      // and messages of AppError never hold secrets by construction.
      serializers: { err: serializeError },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A child logger for one request: every line it writes has `request_id`. */
export function requestLogger(logger: Logger, requestId: string): Logger {
  return logger.child({ request_id: requestId });
}

function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
}

/** A record of the SECURITY_EVENT audit stream (CloudEvents-shaped). */
export type SecurityEventRecord = Pick<Envelope<string, SecurityEventData>, 'id' | 'type' | 'time' | 'source' | 'subject' | 'data'>;

const LOUD = new Set(['medium', 'high', 'critical']);

/**
 * Writes one security event as a `SECURITY_EVENT <code> <type> <outcome>` line with the record
 * under `security_event` and its own trace and request ids at the top level. Written at `warn`
 * for medium and worse, else `info`, and never filtered out by a quieter configured level
 * (only `silent` silences it): the audit line is part of the contract, not debug output.
 */
export function securityEvent(logger: Logger, record: SecurityEventRecord): void {
  const d = record.data;
  const level = LOUD.has(d.severity) ? 'warn' : 'info';
  const target = logger.isLevelEnabled(level) || logger.level === 'silent' ? logger : logger.child({}, { level: 'info' });
  const shortType = /^jarvis\.security\.([a-z_]+)\.v\d+$/.exec(record.type)?.[1] ?? record.type;
  target[level](
    {
      marker: SECURITY_EVENT_MARKER,
      ...(d.trace_id ? { trace_id: d.trace_id } : {}),
      ...(d.request_id ? { request_id: d.request_id } : {}),
      security_event: record,
    },
    `${SECURITY_EVENT_MARKER} ${d.code} ${shortType} ${d.outcome}`,
  );
}
