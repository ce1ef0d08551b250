/**
 * Zero configuration (src/config/bootstrap.ts): a development start without keys generates a
 * JWT secret and three keys into bootstrap.json, and they are printed once. "Once" means once
 * they have been printed: a start that failed before printing leaves them to the next one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { bootstrapEnv, markKeysShown } from '../../src/config/bootstrap.ts';

function dataDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'jarvis-bootstrap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a first development start generates a secret and three keys, kept in a mode-600 file, and hands them over to be printed', (t) => {
  const dir = dataDir(t);
  const boot = bootstrapEnv({ JARVIS_DATA_DIR: dir });
  assert.equal(boot.file, path.join(dir, 'bootstrap.json'));
  assert.equal(statSync(boot.file!).mode & 0o777, 0o600);
  assert.deepEqual(boot.unshown.map((k) => k.label), ['Production API Key', 'Mobile API Key', 'Admin Key']);
  for (const k of boot.unshown) assert.equal(boot.env[k.variable], k.key);
  assert.ok((boot.env.JARVIS_JWT_SECRET ?? '').length >= 64);
});

test('keys not yet printed are handed over again by the next start, the same keys', (t) => {
  const dir = dataDir(t);
  const first = bootstrapEnv({ JARVIS_DATA_DIR: dir });
  // The first start stopped before printing (a bad variable, say): nothing marked them shown.
  const second = bootstrapEnv({ JARVIS_DATA_DIR: dir });
  assert.deepEqual(second.unshown, first.unshown);
  assert.equal(second.env.JARVIS_JWT_SECRET, first.env.JARVIS_JWT_SECRET);
});

test('once printed, later starts use the same keys and print none', (t) => {
  const dir = dataDir(t);
  const first = bootstrapEnv({ JARVIS_DATA_DIR: dir });
  markKeysShown(first.file!);
  assert.equal(statSync(first.file!).mode & 0o777, 0o600);
  const later = bootstrapEnv({ JARVIS_DATA_DIR: dir });
  assert.deepEqual(later.unshown, []);
  assert.equal(later.generatedKeys, true);
  for (const k of first.unshown) assert.equal(later.env[k.variable], k.key);
});

test('a bootstrap.json from an earlier version, which printed its keys when it made them, prints none', (t) => {
  const dir = dataDir(t);
  const first = bootstrapEnv({ JARVIS_DATA_DIR: dir });
  const stored = JSON.parse(readFileSync(first.file!, 'utf8')) as Record<string, unknown>;
  delete stored.shown;
  writeFileSync(first.file!, JSON.stringify(stored));
  assert.deepEqual(bootstrapEnv({ JARVIS_DATA_DIR: dir }).unshown, []);
});

test('keys from the environment are used as they are: none generated, none printed', (t) => {
  const dir = dataDir(t);
  const boot = bootstrapEnv({ JARVIS_DATA_DIR: dir, JARVIS_API_KEY_1: 'my-own-key-0123456789' });
  assert.deepEqual(boot.unshown, []);
  assert.equal(boot.generatedKeys, false);
  assert.equal(boot.env.JARVIS_API_KEY_1, 'my-own-key-0123456789');
});

test('production never bootstraps', (t) => {
  const dir = dataDir(t);
  const boot = bootstrapEnv({ NODE_ENV: 'production', JARVIS_DATA_DIR: dir });
  assert.equal(boot.file, null);
  assert.equal(boot.env.JARVIS_JWT_SECRET, undefined);
});
