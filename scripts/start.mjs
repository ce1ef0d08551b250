// `npm start`: runs the API from its TypeScript sources with tsx, telemetry loaded first
// (node --import), so auto-instrumentation sees every module as it is imported.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', '--import', './src/telemetry/preload.ts', 'src/cli/serve.ts', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
