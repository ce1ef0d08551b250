/**
 * `jarvis projections rebuild`: runs `npm run projector -- --rebuild --exit-when-caught-up` in the
 * project directory — the projector must run on the machine holding its data directory, and the
 * running projector stopped first (the rebuild waits for its lock otherwise).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EXIT, type Command } from './common.ts';

export const projectionsRebuild: Command = {
  usage: `jarvis projections rebuild [--follow]
Drops the projector's read models and replays the event log from the beginning, on this machine
(npm run projector -- --rebuild). Exits when caught up, unless --follow keeps it running.`,
  options: { follow: { type: 'boolean' } },
  run(ctx, v) {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const args = ['run', 'projector', '--', '--rebuild', ...(v.follow ? [] : ['--exit-when-caught-up'])];
    return new Promise((resolve) => {
      const child = spawn('npm', args, { cwd: root, stdio: 'inherit', signal: ctx.signal });
      child.on('error', (err) => {
        ctx.io.err(`jarvis: could not run the projector: ${err.message}`);
        resolve(EXIT.failure);
      });
      child.on('exit', (code) => resolve(code === 0 ? EXIT.ok : EXIT.failure));
    });
  },
};
