/** The committed JSON Schemas and AsyncAPI document must match the catalog they are generated from. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { generateEventFiles, GENERATED_DIR, messageName } from '../../scripts/generate-events.ts';
import { CATALOG, TOPICS } from '../../events/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIX = 'run `npm run events:generate` and commit the result';

test('every committed generated file equals what the catalog generates now', () => {
  for (const [rel, content] of generateEventFiles()) {
    let committed: string;
    try {
      committed = readFileSync(path.join(ROOT, rel), 'utf8');
    } catch {
      assert.fail(`${rel} is missing: ${FIX}`);
    }
    assert.equal(committed, content, `${rel} drifted from events/: ${FIX}`);
  }
});

test('no stale schema file is left for an event type that no longer exists', () => {
  const expected = new Set([...generateEventFiles().keys()]);
  for (const name of readdirSync(path.join(ROOT, GENERATED_DIR, 'schemas'))) {
    assert.ok(expected.has(`${GENERATED_DIR}/schemas/${name}`), `${name} is stale: ${FIX}`);
  }
});

test('there is one JSON Schema per event type, pinning its type and describing its data', () => {
  const files = generateEventFiles();
  for (const type of CATALOG.keys()) {
    const raw = files.get(`${GENERATED_DIR}/schemas/${type}.json`);
    assert.ok(raw, `no schema for ${type}`);
    const schema = JSON.parse(raw) as { properties: { type: { const: string }; data: { type: string } } };
    assert.equal(schema.properties.type.const, type);
    assert.equal(schema.properties.data.type, 'object');
  }
});

test('the AsyncAPI document names every topic with its key, partitions and retention, and every message', () => {
  const doc = YAML.parse(generateEventFiles().get(`${GENERATED_DIR}/asyncapi.yaml`)!) as {
    asyncapi: string;
    channels: Record<string, { address: string; 'x-partition-key': string; messages: Record<string, unknown>; bindings: { kafka: { partitions: number; topicConfiguration: Record<string, unknown> } } }>;
    components: { messages: Record<string, { title: string }> };
  };
  assert.equal(doc.asyncapi, '3.0.0');
  const byAddress = new Map(Object.values(doc.channels).map((c) => [c.address, c]));
  for (const [topic, t] of Object.entries(TOPICS)) {
    const channel = byAddress.get(topic);
    assert.ok(channel, `no channel for ${topic}`);
    assert.equal(channel['x-partition-key'], t.key);
    assert.equal(channel.bindings.kafka.partitions, t.partitions);
    assert.equal(channel.bindings.kafka.topicConfiguration['retention.ms'], t.retentionMs);
  }
  for (const def of CATALOG.values()) {
    assert.equal(doc.components.messages[messageName(def.type)]?.title, def.type);
    assert.ok(byAddress.get(def.topic)?.messages[messageName(def.type)], `${def.type} is not on channel ${def.topic}`);
  }
});

test('the committed schemas let a consumer accept fields a newer producer of the same version adds', () => {
  // Within one version, a producer may add an optional field (admin events gained `ip`); a
  // consumer that validates against a schema closed with additionalProperties: false would then
  // reject every new event. zod readers strip unknown fields; the JSON Schemas say the same.
  const closed = (node: unknown, at: string): string[] => {
    if (node === null || typeof node !== 'object') return [];
    const o = node as Record<string, unknown>;
    return [...(o.additionalProperties === false ? [at] : []), ...Object.entries(o).flatMap(([k, v]) => closed(v, `${at}/${k}`))];
  };
  for (const [rel, content] of generateEventFiles()) {
    const doc: unknown = rel.endsWith('.json') ? JSON.parse(content) : YAML.parse(content);
    assert.deepEqual(closed(doc, rel), [], `${rel} closes an object to new fields`);
  }
});
