/**
 * Backups of a data directory while the API runs: each SQLite file is copied with SQLite's
 * online backup (a consistent snapshot of that file, taken without stopping writers), the
 * read models before the event log — the log only grows, so the restored log always holds
 * every event the restored read models had applied, and the runners resume from their stored
 * positions. A manifest lists every file with its SHA-256; restore checks it and refuses a
 * directory that is not empty.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATA_DIR_DATABASES } from '../shared/data-files.ts';

/** SQLite files in copy order: derived state first, the log last. */
const DATABASES = DATA_DIR_DATABASES;
/** Plain files kept beside them (the development secret and keys, the audit chain heads). */
const PLAIN = ['bootstrap.json', 'audit-heads.jsonl'] as const;
const MANIFEST = 'jarvis-backup.json';

export interface BackupManifest {
  readonly format: 1;
  readonly created_at: string;
  readonly files: readonly { readonly name: string; readonly bytes: number; readonly sha256: string }[];
}

export class BackupError extends Error {}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function isEmptyDir(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/** Writes a consistent snapshot of `dataDir` into `outDir` (created; must be empty). */
export async function backupDataDir(dataDir: string, outDir: string, now = () => Date.now()): Promise<BackupManifest> {
  if (!existsSync(dataDir)) throw new BackupError(`no data directory at ${dataDir}`);
  if (!isEmptyDir(outDir)) throw new BackupError(`${outDir} is not empty: back up into a new directory`);
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const files: { name: string; bytes: number; sha256: string }[] = [];
  for (const name of DATABASES) {
    const source = path.join(dataDir, name);
    if (!existsSync(source)) continue;
    const target = path.join(outDir, name);
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      await db.backup(target);
    } finally {
      db.close();
    }
    files.push({ name, bytes: statSync(target).size, sha256: sha256(target) });
  }
  for (const name of PLAIN) {
    const source = path.join(dataDir, name);
    if (!existsSync(source)) continue;
    const target = path.join(outDir, name);
    copyFileSync(source, target);
    files.push({ name, bytes: statSync(target).size, sha256: sha256(target) });
  }
  if (!files.some((f) => f.name === 'eventlog.db') && !files.some((f) => f.name === 'outbox.db')) {
    throw new BackupError(`${dataDir} holds no event log: is it a Jarvis data directory?`);
  }
  const manifest: BackupManifest = { format: 1, created_at: new Date(now()).toISOString(), files };
  writeFileSync(path.join(outDir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  return manifest;
}

/** Restores a backup into `dataDir`, which must be empty or absent; checks every file first. */
export function restoreDataDir(backupDir: string, dataDir: string): BackupManifest {
  const manifestFile = path.join(backupDir, MANIFEST);
  if (!existsSync(manifestFile)) throw new BackupError(`${backupDir} is not a Jarvis backup (no ${MANIFEST})`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BackupManifest;
  if (manifest.format !== 1) throw new BackupError(`unknown backup format ${String(manifest.format)}`);
  for (const f of manifest.files) {
    const file = path.join(backupDir, path.basename(f.name));
    if (!existsSync(file) || sha256(file) !== f.sha256) throw new BackupError(`${f.name} is missing or altered in the backup`);
  }
  if (!isEmptyDir(dataDir)) throw new BackupError(`${dataDir} is not empty: restore into an empty directory, then point JARVIS_DATA_DIR at it`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (const f of manifest.files) copyFileSync(path.join(backupDir, path.basename(f.name)), path.join(dataDir, path.basename(f.name)));
  return manifest;
}
