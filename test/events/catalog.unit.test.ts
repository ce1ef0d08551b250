/** Catalog rules every event type keeps: versioned names, known topics, and no field that could carry a secret. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { CATALOG, TOPICS } from '../../events/index.ts';

/** Name parts that suggest a credential. */
const SECRET_WORDS = new Set(['key', 'apikey', 'token', 'secret', 'authorization', 'auth', 'password', 'passwd', 'credential', 'credentials', 'jwt', 'bearer', 'cookie', 'session_token']);
/** A field ending like this names or hashes a secret instead of carrying it (documented: `secret_sha256`). */
const SAFE_SUFFIXES = ['_id', '_sha256'];

type Schema = { type?: string | string[]; enum?: unknown[]; const?: unknown; anyOf?: Schema[]; items?: Schema; properties?: Record<string, Schema>; additionalProperties?: Schema | boolean };

/** Only a field that can hold free text can carry a secret: numbers, booleans and enums cannot. */
function holdsText(s: Schema): boolean {
  if (s.anyOf) return s.anyOf.some(holdsText);
  if (s.enum || s.const !== undefined) return false;
  const types = s.type === undefined ? ['string'] : [s.type].flat();
  if (types.includes('string')) return true;
  if (types.includes('array')) return s.items ? holdsText(s.items) : true;
  if (types.includes('object')) return Object.values(s.properties ?? {}).some(holdsText) || typeof s.additionalProperties === 'object';
  return false;
}

/** Dotted paths of every field that can hold text, at any depth. */
function textFields(schema: Schema, prefix = ''): string[] {
  const out: string[] = [];
  for (const sub of [...(schema.anyOf ?? []), ...(schema.items ? [schema.items] : [])]) out.push(...textFields(sub, prefix));
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    if (holdsText(sub)) out.push(`${prefix}${name}`);
    out.push(...textFields(sub, `${prefix}${name}.`));
  }
  return out;
}

function looksSecret(path: string): boolean {
  const name = path.split('.').at(-1)!.toLowerCase();
  if (SAFE_SUFFIXES.some((s) => name.endsWith(s))) return false;
  return name.split(/[_-]/).some((part) => SECRET_WORDS.has(part)) || SECRET_WORDS.has(name);
}

test('the secret detector flags the names it is meant to flag', () => {
  for (const bad of ['key', 'api_key', 'token', 'access_token', 'secret', 'authorization', 'password', 'jwt', 'x.refresh_token']) assert.ok(looksSecret(bad), bad);
  for (const ok of ['key_id', 'secret_sha256', 'session_id', 'principal', 'jti', 'reason']) assert.ok(!looksSecret(ok), ok);
  const sample = z.object({ headers: z.object({ authorization: z.string().nullable() }), token_count: z.number(), mode: z.enum(['a']) });
  assert.deepEqual(textFields(z.toJSONSchema(sample) as Schema).filter(looksSecret), ['headers.authorization']);
});

test('no event schema has a text field whose name suggests a secret', () => {
  const offenders: string[] = [];
  for (const def of CATALOG.values()) {
    const fields = textFields(z.toJSONSchema(def.data) as Schema);
    assert.ok(fields.length > 0, `${def.type} has no fields`);
    for (const f of fields) if (looksSecret(f)) offenders.push(`${def.type}: ${f}`);
  }
  assert.deepEqual(offenders, []);
});

test('every type string is versioned and lives under its topic', () => {
  for (const def of CATALOG.values()) {
    assert.match(def.type, /^jarvis(\.[a-z_]+)+\.v\d+$/);
    assert.ok(def.topic in TOPICS, `${def.type} publishes to unknown topic ${def.topic}`);
    assert.ok(def.type.startsWith(`${def.topic}.`), `${def.type} should start with its topic ${def.topic}`);
  }
});

test('every topic carries at least one event type', () => {
  const used = new Set([...CATALOG.values()].map((d) => d.topic));
  for (const topic of Object.keys(TOPICS)) assert.ok(used.has(topic), `${topic} has no events`);
});
