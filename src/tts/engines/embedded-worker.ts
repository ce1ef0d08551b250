/**
 * Runs in a worker thread: eSpeak NG compiled to WebAssembly (npm `espeak-ng`). Synthesis is
 * synchronous CPU work, so it must not run on the event loop that serves HTTP.
 *
 * The module is an Emscripten program whose `main` cannot be called twice on one instance
 * (getopt and option globals keep their state), so each sentence gets a fresh instance. To
 * keep that cheap, the 18 MB wasm is compiled once and the next instance is instantiated
 * ahead of time (`noInitialRun`): a sentence costs only its synthesis (~50 ms), not the ~200 ms
 * a cold start takes.
 */
import { parentPort } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import ESpeakNg from 'espeak-ng';

interface Instance {
  FS: { readFile(path: string): Uint8Array; unlink(path: string): void };
  exports: WebAssembly.Exports & {
    memory: WebAssembly.Memory;
    malloc(n: number): number;
    __main_argc_argv(argc: number, argv: number): number;
  };
}

export interface EmbeddedRequest { id: number; args: string[] }
export type EmbeddedReply = { id: number; wav: Uint8Array } | { id: number; error: string };

const require = createRequire(import.meta.url);
const wasmPath = require.resolve('espeak-ng/dist/espeak-ng.wasm');
const compiled = WebAssembly.compile(await readFile(wasmPath));

async function instantiate(): Promise<Instance> {
  const mod = await compiled;
  let exports: Instance['exports'] | undefined;
  const factory = ESpeakNg as unknown as (opts: Record<string, unknown>) => Promise<Instance>;
  const inst = await factory({
    noInitialRun: true,
    print: () => {},
    printErr: () => {},
    instantiateWasm(imports: WebAssembly.Imports, done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) {
      void WebAssembly.instantiate(mod, imports).then((i) => {
        exports = i.exports as Instance['exports'];
        done(i, mod);
      });
      return {};
    },
  });
  if (!exports) throw new Error('espeak-ng wasm did not instantiate');
  return Object.assign(inst, { exports });
}

/** Calls the program's main(argc, argv) with arguments written into its own memory. */
function runMain(inst: Instance, args: string[]): number {
  const enc = new TextEncoder();
  const all = ['espeak-ng', ...args];
  const ptrs = all.map((a) => {
    const bytes = enc.encode(`${a}\0`);
    const p = inst.exports.malloc(bytes.length);
    new Uint8Array(inst.exports.memory.buffer, p, bytes.length).set(bytes);
    return p;
  });
  const argv = inst.exports.malloc(4 * (ptrs.length + 1));
  const view = new Uint32Array(inst.exports.memory.buffer, argv, ptrs.length + 1);
  ptrs.forEach((p, i) => { view[i] = p; });
  view[ptrs.length] = 0;
  return inst.exports.__main_argc_argv(all.length, argv);
}

let next = instantiate();

async function handle(req: EmbeddedRequest): Promise<void> {
    const inst = await next;
    next = instantiate(); // warm the next one while this one synthesizes
    try {
      const rc = runMain(inst, ['-w', '/out.wav', ...req.args]);
      if (rc !== 0) throw new Error(`espeak-ng exited with ${rc}`);
      const wav = inst.FS.readFile('/out.wav');
      parentPort?.postMessage({ id: req.id, wav } satisfies EmbeddedReply, [wav.buffer as ArrayBuffer]);
    } catch (err) {
      // Emscripten's exit() throws an ExitStatus: a bad voice or option ends up here.
      const status = (err as { status?: number }).status;
      parentPort?.postMessage({ id: req.id, error: status !== undefined ? `espeak-ng exited with ${status}` : String((err as Error).message) } satisfies EmbeddedReply);
    }
}

// One request at a time, in order: each takes the warm instance and starts the next.
let chain = Promise.resolve();
parentPort?.on('message', (req: EmbeddedRequest) => {
  chain = chain.then(() => handle(req));
});

await next;
parentPort?.postMessage({ ready: true });
