/** The `jarvis` command groups and the dispatcher (the process entry is src/cli/jarvis.ts). */
import { ConfigError } from '../../config/parse.ts';
import { parseCliEnv } from '../../config/audit.ts';
import { exportCmd, hmac, query, stats, verify } from './audit.ts';
import { tail } from './audit-tail.ts';
import { ipBlock, ipList, ipUnblock, keysCreate, keysList, keysRevoke, sessionsList, sessionsRevoke } from './admin.ts';
import { CliFailure, EXIT, parse, UsageError, type Command, type Io } from './common.ts';
import { projectionsRebuild } from './projections.ts';
import { backupCmd, restoreCmd } from './backup.ts';

const GROUPS: Record<string, { about: string; commands: Record<string, Command> }> = {
  audit: { about: 'query, export, follow, summarize and verify the security audit log', commands: { query, export: exportCmd, tail, stats, verify, hmac } },
  keys: { about: 'create, list and revoke API keys', commands: { create: keysCreate, list: keysList, revoke: keysRevoke } },
  sessions: { about: 'list and revoke JWT sessions', commands: { list: sessionsList, revoke: sessionsRevoke } },
  ip: { about: 'block, unblock and list client addresses', commands: { block: ipBlock, unblock: ipUnblock, list: ipList } },
  projections: { about: 'rebuild the projector read models from the event log', commands: { rebuild: projectionsRebuild } },
};

const USAGE = `Usage: jarvis <group> <command> [options]   (jarvis <group> --help, jarvis <group> <command> --help)

${Object.entries(GROUPS).map(([g, d]) => `  ${g.padEnd(12)} ${Object.keys(d.commands).join('|').padEnd(38)} ${d.about}`).join('\n')}

  backup       <directory>                            snapshot the data directory while the API runs (local)
  restore      <backup directory>                     restore a snapshot into an empty data directory (local)

Environment: JARVIS_URL (default http://127.0.0.1:8000), JARVIS_ADMIN_KEY (an admin API key);
JARVIS_DATA_DIR (default ./data) for backup and restore.
Exit codes: 0 ok, 1 failure, 2 usage.`;

/** Runs one command line; returns the exit code. */
export async function main(argv: string[], env: Readonly<Record<string, string | undefined>>, io: Io, signal: AbortSignal): Promise<number> {
  // Two local commands without a group: they work on the data directory, not through the API.
  const local = argv[0] === 'backup' ? backupCmd(env) : argv[0] === 'restore' ? restoreCmd(env) : null;
  if (local) {
    try {
      const parsed = parse(local, argv.slice(1));
      if (!parsed) {
        io.out(`Usage: ${local.usage}`);
        return EXIT.ok;
      }
      return await local.run({ env: parseCliEnv(env), io, signal }, parsed.values, parsed.positionals);
    } catch (err) {
      if (err instanceof UsageError) {
        io.err(`jarvis ${argv[0]}: ${err.message}\n\nUsage: ${local.usage}`);
        return EXIT.usage;
      }
      io.err(`jarvis: ${(err as Error).message}`);
      return EXIT.failure;
    }
  }
  const [group, name, ...rest] = argv;
  if (!group || group === '--help' || group === '-h' || group === 'help') {
    (group ? io.out : io.err)(USAGE);
    return group ? EXIT.ok : EXIT.usage;
  }
  const g = GROUPS[group];
  if (!g) {
    io.err(`jarvis: unknown command group "${group}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  const groupUsage = `Usage: jarvis ${group} <${Object.keys(g.commands).join('|')}> [options]\n${g.about}; jarvis ${group} <command> --help for its options.`;
  if (!name || name === '--help' || name === '-h') {
    (name ? io.out : io.err)(groupUsage);
    return name ? EXIT.ok : EXIT.usage;
  }
  const cmd = g.commands[name];
  if (!cmd) {
    io.err(`jarvis: unknown command "${group} ${name}"\n\n${groupUsage}`);
    return EXIT.usage;
  }
  try {
    const parsed = parse(cmd, rest);
    if (!parsed) {
      io.out(`Usage: ${cmd.usage}`);
      return EXIT.ok;
    }
    return await cmd.run({ env: parseCliEnv(env), io, signal }, parsed.values, parsed.positionals);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`jarvis ${group} ${name}: ${err.message}\n\nUsage: ${cmd.usage}`);
      return EXIT.usage;
    }
    if (err instanceof CliFailure || err instanceof ConfigError) {
      io.err(`jarvis: ${err.message}`);
      return EXIT.failure;
    }
    if (signal.aborted) return EXIT.ok;
    io.err(`jarvis: ${(err as Error).message}`);
    return EXIT.failure;
  }
}

