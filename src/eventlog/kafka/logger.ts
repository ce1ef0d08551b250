/**
 * kafkajs' log output, quieted and routed into our LogSink: errors and warnings only, and only
 * the fields that help (namespace, broker, topic, group, error text) — never a whole entry,
 * so nothing like SASL settings or message payloads can leak into the logs.
 */
import { logLevel, type logCreator } from 'kafkajs';
import type { LogSink } from '../logger.ts';

const KEEP = ['broker', 'topic', 'partition', 'groupId', 'memberId', 'error', 'retryCount', 'retryTime'] as const;

/** A kafkajs `logCreator` writing to `sink`. */
export function kafkaLogCreator(sink: LogSink): logCreator {
  return () => ({ namespace, level, log }) => {
    const fields: Record<string, unknown> = { kafka: namespace };
    const entry = log as unknown as Record<string, unknown>;
    for (const k of KEEP) if (entry[k] !== undefined) fields[k] = entry[k];
    const msg = `kafka: ${String(log.message)}`;
    if (level === logLevel.ERROR) sink.error(fields, msg);
    else if (level === logLevel.WARN) sink.warn(fields, msg);
    else if (level === logLevel.INFO) sink.debug(fields, msg);
  };
}
