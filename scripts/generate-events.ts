/**
 * `npm run events:generate`: writes the committed, machine-readable view of the event catalog —
 * one JSON Schema per event type (the full CloudEvents envelope with its typed `data`) and an
 * AsyncAPI 3.0 document naming every topic with its key, partitions and retention.
 * test/events/generated.unit.test.ts regenerates in memory and fails when the files drift.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import YAML from 'yaml';
import { CATALOG, EnvelopeSchema, TOPICS, type EventDefinition } from '../events/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the generated files live, relative to the repository root. */
export const GENERATED_DIR = 'events/generated';
const SCHEMA_DIR = `${GENERATED_DIR}/schemas`;

type AnyDef = EventDefinition<string, z.ZodType>;
type JsonObject = Record<string, unknown>;

/** `jarvis.auth.decision_recorded.v1` → `AuthDecisionRecordedV1`: a stable message name. */
export function messageName(type: string): string {
  return type
    .replace(/^jarvis\./, '')
    .split(/[._]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** `jarvis.auth` → `jarvisAuth`: AsyncAPI channel ids must be plain identifiers. */
function channelId(topic: string): string {
  return topic.replace(/[._](\w)/g, (_m, c: string) => c.toUpperCase());
}

/** The envelope with `type` pinned and `data` typed: what one record value on the log looks like. */
function eventSchema(def: AnyDef, target: 'draft-2020-12' | 'draft-07'): JsonObject {
  const full = EnvelopeSchema.extend({ type: z.literal(def.type), data: def.data });
  return z.toJSONSchema(full, { target, io: 'input' }) as JsonObject;
}

function sortedDefinitions(): AnyDef[] {
  return [...CATALOG.values()].sort((a, b) => a.type.localeCompare(b.type));
}

function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function schemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of sortedDefinitions()) {
    const { $schema, ...rest } = eventSchema(def, 'draft-2020-12');
    files.set(`${SCHEMA_DIR}/${def.type}.json`, jsonFile({
      $schema,
      $id: `urn:jarvis:event:${def.type}`,
      title: messageName(def.type),
      description: `${def.description} Topic: ${def.topic}.`,
      ...rest,
    }));
  }
  return files;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

function asyncApiDocument(): JsonObject {
  const defs = sortedDefinitions();
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  const messages: JsonObject = {};
  const schemas: JsonObject = {};
  for (const [topic, t] of Object.entries(TOPICS)) {
    const id = channelId(topic);
    const own = defs.filter((d) => d.topic === topic);
    const refs = Object.fromEntries(own.map((d) => [messageName(d.type), { $ref: `#/components/messages/${messageName(d.type)}` }]));
    channels[id] = {
      address: topic,
      title: topic,
      description: `${t.description} Key: ${t.key}. Partitions: ${t.partitions}. Retention: ${t.retentionMs < 0 ? 'forever' : `${t.retentionMs / 86_400_000} days`}. A deployment may prefix the address (JARVIS_TOPIC_PREFIX).`,
      messages: refs,
      'x-partition-key': t.key,
      bindings: {
        kafka: {
          topic,
          partitions: t.partitions,
          topicConfiguration: { 'cleanup.policy': ['delete'], 'retention.ms': t.retentionMs },
          bindingVersion: '0.5.0',
        },
      },
    };
    operations[`send${id.charAt(0).toUpperCase()}${id.slice(1)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      summary: `Events published to ${topic}.`,
      messages: own.map((d) => ({ $ref: `#/channels/${id}/messages/${messageName(d.type)}` })),
    };
    for (const d of own) {
      const name = messageName(d.type);
      const { $schema: _drop, ...payload } = eventSchema(d, 'draft-07');
      schemas[name] = payload;
      messages[name] = {
        name,
        title: d.type,
        summary: d.description,
        contentType: 'application/cloudevents+json',
        payload: { $ref: `#/components/schemas/${name}` },
        bindings: { kafka: { key: { type: 'string', description: t.key }, bindingVersion: '0.5.0' } },
      };
    }
  }
  const { $schema: _drop, ...envelope } = z.toJSONSchema(EnvelopeSchema, { target: 'draft-07', io: 'input' }) as JsonObject;
  schemas.CloudEventsEnvelope = envelope;
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Jarvis API events',
      version: packageVersion(),
      description:
        'Every event Jarvis API publishes. Each record value is a CloudEvents 1.0 envelope in structured JSON mode; ' +
        '`traceparent`, `requestid` and `actorid` are extension attributes. No event ever carries a secret. ' +
        'Generated by `npm run events:generate` from events/*.ts; do not edit by hand.',
      license: { name: 'GPL-3.0-or-later' },
    },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      kafka: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'KAFKA_BROKERS; without it the same topics live in the embedded log under JARVIS_DATA_DIR.' },
    },
    channels,
    operations,
    components: { messages, schemas },
  };
}

/** Every generated file, path (relative to the repository root) → content. Pure: no file is touched. */
export function generateEventFiles(): Map<string, string> {
  const files = schemaFiles();
  files.set(`${GENERATED_DIR}/asyncapi.yaml`, `# Generated by \`npm run events:generate\`; do not edit.\n${YAML.stringify(asyncApiDocument(), { lineWidth: 0 })}`);
  return files;
}

/** Writes the generated files under `root`, removing schema files of types that no longer exist. */
export function writeEventFiles(root = ROOT): number {
  const files = generateEventFiles();
  const schemaDir = path.join(root, SCHEMA_DIR);
  mkdirSync(schemaDir, { recursive: true });
  for (const name of readdirSync(schemaDir)) {
    if (!files.has(`${SCHEMA_DIR}/${name}`)) rmSync(path.join(schemaDir, name));
  }
  for (const [rel, content] of files) writeFileSync(path.join(root, rel), content);
  return files.size;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const n = writeEventFiles();
  console.log(`wrote ${n} files under ${GENERATED_DIR}/`);
}
