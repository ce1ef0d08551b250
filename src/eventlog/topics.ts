/** The topics a log creates on start, with their partition count and retention. */
import { TOPICS } from '../../events/index.ts';

export interface TopicSpec {
  readonly partitions: number;
  /** Kafka `retention.ms`; -1 keeps records forever. */
  readonly retentionMs: number;
}

/** Logical topic name (as in the catalog, without prefix) → its spec. */
export type TopicSpecs = Readonly<Record<string, TopicSpec>>;

/** The catalog's topics (events/index.ts TOPICS). */
export function catalogTopics(): TopicSpecs {
  return Object.fromEntries(Object.entries(TOPICS).map(([name, t]) => [name, { partitions: t.partitions, retentionMs: t.retentionMs }]));
}

/**
 * Both logs add `prefix` to topic names on the wire and strip it on the way back, so the
 * rest of the code only ever sees catalog names; a prefix lets tests and tenants share a broker.
 */
export function physicalTopic(prefix: string, topic: string): string {
  return prefix + topic;
}

export function logicalTopic(prefix: string, physical: string): string {
  return prefix !== '' && physical.startsWith(prefix) ? physical.slice(prefix.length) : physical;
}
