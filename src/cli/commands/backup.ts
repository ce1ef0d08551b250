/**
 * `jarvis backup` and `jarvis restore`: snapshot a data directory while the API runs, and put
 * it back into an empty one. Local commands: they run on the machine holding JARVIS_DATA_DIR.
 */
import { BackupError, backupDataDir, restoreDataDir } from '../../backup/snapshot.ts';
import { CliFailure, EXIT, UsageError, type Command } from './common.ts';

const dataDirOf = (v: Record<string, string | boolean | undefined>, env: Readonly<Record<string, string | undefined>>) => (typeof v['data-dir'] === 'string' ? v['data-dir'] : env.JARVIS_DATA_DIR || './data');

export const backupCmd = (env: Readonly<Record<string, string | undefined>>): Command => ({
  usage: `jarvis backup <directory> [--data-dir DIR] [--json]
Writes a consistent snapshot of the data directory (JARVIS_DATA_DIR, default ./data) into a new
directory, while the API keeps running: the embedded event log, the outbox, the read models and
the generated development secrets, with a manifest of SHA-256 sums.`,
  options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
  positionals: [1, 1],
  async run(ctx, v, [out]) {
    try {
      const m = await backupDataDir(dataDirOf(v, env), out!);
      if (v.json) ctx.io.out(JSON.stringify(m));
      else ctx.io.out(`backed up ${m.files.length} files (${m.files.map((f) => f.name).join(', ')}) into ${out}`);
      return EXIT.ok;
    } catch (err) {
      if (err instanceof BackupError) throw new CliFailure(err.message);
      throw err;
    }
  },
});

export const restoreCmd = (env: Readonly<Record<string, string | undefined>>): Command => ({
  usage: `jarvis restore <backup directory> [--data-dir DIR]
Checks every file of a backup against its manifest and copies it into the data directory
(JARVIS_DATA_DIR, default ./data), which must be empty or absent. Start the API on it afterwards.`,
  options: { 'data-dir': { type: 'string' } },
  positionals: [1, 1],
  async run(ctx, v, [from]) {
    if (!from) throw new UsageError('name the backup directory');
    try {
      const m = restoreDataDir(from, dataDirOf(v, env));
      ctx.io.out(`restored ${m.files.length} files from a backup of ${m.created_at} into ${dataDirOf(v, env)}`);
      return EXIT.ok;
    } catch (err) {
      if (err instanceof BackupError) throw new CliFailure(err.message);
      throw err;
    }
  },
});
