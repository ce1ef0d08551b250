/**
 * deployment/.env.example must name every variable that src/config/ reads, each with a comment
 * that gives its default: the contract requires it, and this test keeps future variables from
 * being forgotten. Families such as JARVIS_API_KEY_${n} are matched by an example with a number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const configDir = path.join(root, 'src/config');
const example = readFileSync(path.join(root, 'deployment/.env.example'), 'utf8');

/** A name as read in the source; `${…}` parts of template literals become `<N>`. */
function normalise(raw: string): string {
  return raw.replace(/\$\{[^}]*\}/g, '<N>');
}

/** Every environment variable name that the config sources read. */
function namesReadByConfig(): Set<string> {
  const names = new Set<string>();
  const lit = String.raw`['"\x60]([A-Z][A-Z0-9_]*(?:\$\{[^}]*\}[A-Z0-9_]*)*)['"\x60]`;
  const patterns = [
    // the parsers of src/config/parse.ts and local helpers: fn(env, 'NAME' …)
    new RegExp(String.raw`\b[a-zA-Z]+\(\s*env\s*,\s*` + lit, 'g'),
    // direct reads: env.NAME, env['NAME'], env[`NAME_${n}`]
    /\benv\.([A-Z][A-Z0-9_]*)\b/g,
    new RegExp(String.raw`\benv\[\s*` + lit + String.raw`\s*\]`, 'g'),
    // families recognised by a regular expression over the keys: /^JARVIS_API_KEY_(\d+)$/
    /\/\^([A-Z][A-Z0-9_]*)\(\\d\+\)([A-Z0-9_]*)\$\//g,
  ];
  for (const file of readdirSync(configDir).filter((f) => f.endsWith('.ts'))) {
    const src = readFileSync(path.join(configDir, file), 'utf8');
    for (const re of patterns) {
      for (const m of src.matchAll(re)) {
        const name = m[2] !== undefined ? `${m[1]}<N>${m[2]}` : normalise(m[1]!);
        names.add(name);
      }
    }
  }
  return names;
}

interface Entry { readonly name: string; readonly comment: string }

/**
 * Variables in the example (`NAME=` or `# NAME=`), each with the comments of its paragraph
 * (the lines since the last blank line), so variables that belong together share one comment.
 */
function exampleEntries(): Entry[] {
  const entries: Entry[] = [];
  let paragraph: string[] = [];
  for (const line of example.split('\n')) {
    const m = /^(?:#\s*)?([A-Z][A-Z0-9_]*)=/.exec(line);
    if (m) entries.push({ name: m[1]!, comment: paragraph.join(' ') });
    else if (line.startsWith('#')) paragraph.push(line);
    else if (line.trim() === '') paragraph = [];
  }
  return entries;
}

/** True when the example has the name, a family `X_<N>_Y` being matched by `X_1_Y`. */
function documents(entries: readonly Entry[], name: string): boolean {
  const re = new RegExp(`^${name.split('<N>').join(String.raw`\d+`)}$`);
  return entries.some((e) => re.test(e.name));
}

test('the scan finds the variables the config is known to read (the scanner itself works)', () => {
  const names = namesReadByConfig();
  for (const n of ['NODE_ENV', 'JARVIS_JWT_SECRET', 'JARVIS_PORT', 'PORT', 'KAFKA_BROKERS', 'ANTHROPIC_API_KEY', 'JARVIS_TTS_ENGINE', 'JARVIS_API_KEY_<N>', 'JARVIS_API_KEY_<N>_NAME', 'JARVIS_API_KEY_<N>_PERMISSIONS', 'JARVIS_ADMIN_KEY']) {
    assert.ok(names.has(n), `scanner missed ${n}; found ${[...names].sort().join(', ')}`);
  }
  assert.ok(names.size >= 50, `only ${names.size} names found`);
});

test('deployment/.env.example lists every variable that src/config reads', () => {
  const entries = exampleEntries();
  const missing = [...namesReadByConfig()].filter((n) => !documents(entries, n)).sort();
  assert.deepEqual(missing, [], `add these to deployment/.env.example with their default and meaning: ${missing.join(', ')}`);
});

test('every variable in deployment/.env.example has a comment that states its default', () => {
  const undocumented = exampleEntries().filter((e) => !/Default:/.test(e.comment)).map((e) => e.name);
  assert.deepEqual(undocumented, []);
});

test('deployment/.env.example carries no secret: the secret variables are empty', () => {
  const secrets = /^(JARVIS_JWT_SECRET|JARVIS_API_KEY_\d+|JARVIS_ADMIN_KEY|ANTHROPIC_API_KEY|DEEPSEEK_API_KEY|JARVIS_LOCAL_LLM_API_KEY|JARVIS_AUDIT_HMAC_KEY|GRAFANA_ADMIN_PASSWORD|KAFKA_SASL_PASSWORD)=(.*)$/gm;
  for (const m of example.matchAll(secrets)) assert.equal(m[2], '', `${m[1]} must be empty in the example`);
});

test('deployment/.env.example names each variable once', () => {
  const names = exampleEntries().map((e) => e.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  assert.deepEqual(twice, []);
});
