/**
 * `jarvis`: the command line for people who live in terminals. Talks to the API as an admin
 * (JARVIS_URL, JARVIS_ADMIN_KEY; the key is never printed). Tables by default, --json for
 * machines, --help everywhere; exit 0 ok, 1 failure, 2 usage.
 * Run: `node --import tsx src/cli/jarvis.ts <group> <command>` (npm run jarvis -- ...).
 */
import { EXIT, type Io } from './commands/common.ts';
import { main } from './commands/main.ts';

const abort = new AbortController();
process.on('SIGINT', () => abort.abort());
process.on('SIGTERM', () => abort.abort());
// EPIPE (`jarvis audit export | head`) is a normal end, not a failure.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? EXIT.ok : EXIT.failure));
const io: Io = {
  out: (t) => void process.stdout.write(`${t}\n`),
  err: (t) => void process.stderr.write(`${t}\n`),
  write: (chunk) => new Promise((resolve) => (process.stdout.write(chunk) ? resolve() : process.stdout.once('drain', resolve))),
};
const code = await main(process.argv.slice(2), process.env, io, abort.signal);
process.exitCode = code;
// Open sockets (a live tail) must not keep a finished command alive.
setImmediate(() => process.exit(code));
