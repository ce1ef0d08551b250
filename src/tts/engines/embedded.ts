/**
 * The default engine: eSpeak NG as WebAssembly from npm, so a fresh `npm install` speaks with no
 * system package. Runs in worker threads (synthesis is synchronous CPU work), one per pool slot.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseWav } from '../wav.ts';
import { createPool, type Pool } from './pool.ts';
import type { EmbeddedReply, EmbeddedRequest } from './embedded-worker.ts';
import { EngineError, ESPEAK_VOICES, espeakRate, type PcmAudio, type SynthesisOptions, type TtsEngine } from './types.ts';

const SAMPLE_RATE = 22050;
const DEFAULT_VOICE = 'en-us';

interface ThreadWorker {
  readonly thread: Worker;
  readonly pending: Map<number, { resolve(wav: Uint8Array): void; reject(err: Error): void }>;
}

// After `npm run build` the worker is the compiled .js next to this file; under tsx it is the
// .ts source, and Node 20 does not pass a worker's entry through the --import hooks, so a
// small bootstrap registers tsx in the thread first.
const SELF = fileURLToPath(import.meta.url);
const WORKER_FILE = path.join(path.dirname(SELF), `embedded-worker${path.extname(SELF)}`);

function newThread(): Worker {
  if (!WORKER_FILE.endsWith('.ts')) return new Worker(WORKER_FILE);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(WORKER_FILE).href)}); })`;
  return new Worker(boot, { eval: true, execArgv: [] });
}

function spawnWorker(): Promise<ThreadWorker> {
  const thread = newThread();
  const w: ThreadWorker = { thread, pending: new Map() };
  return new Promise((resolve, reject) => {
    thread.once('error', reject);
    thread.on('message', (msg: EmbeddedReply | { ready: true }) => {
      if ('ready' in msg) {
        thread.off('error', reject);
        thread.on('error', (err) => failAll(w, err));
        resolve(w);
        return;
      }
      const p = w.pending.get(msg.id);
      w.pending.delete(msg.id);
      if ('error' in msg) p?.reject(new EngineError('ERR_ENGINE_FAILED', msg.error));
      else p?.resolve(msg.wav);
    });
    thread.on('exit', (code) => failAll(w, new Error(`embedded engine thread exited (${code})`)));
  });
}

function failAll(w: ThreadWorker, err: Error): void {
  for (const p of w.pending.values()) p.reject(new EngineError('ERR_ENGINE_CRASHED', err.message));
  w.pending.clear();
}

/** Creates the embedded (WASM) engine with `poolSize` worker threads. */
export function createEmbeddedEngine(poolSize: number): TtsEngine {
  let workers: ThreadWorker[] = [];
  let pool: Pool<ThreadWorker> | undefined;
  let seq = 0;
  return {
    name: 'embedded',
    voice: DEFAULT_VOICE,
    voices: ESPEAK_VOICES,
    sampleRate: SAMPLE_RATE,
    async start() {
      workers = await Promise.all(Array.from({ length: poolSize }, spawnWorker));
      pool = createPool(workers);
    },
    async synthesize(text: string, options: SynthesisOptions): Promise<PcmAudio> {
      if (!pool) throw new EngineError('ERR_ENGINE_NOT_STARTED', 'embedded engine not started');
      return pool.use(async (w) => {
        // The sentence in a worker thread cannot be interrupted (it takes ~50 ms); an abort
        // only stops the sentences after it.
        const id = ++seq;
        const args = ['-v', options.voice ?? DEFAULT_VOICE, '-s', String(espeakRate(options.speed)), '--', text];
        const wav = await new Promise<Uint8Array>((resolve, reject) => {
          w.pending.set(id, { resolve, reject });
          w.thread.postMessage({ id, args } satisfies EmbeddedRequest);
        });
        const parsed = parseWav(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
        if (parsed.sampleRate !== SAMPLE_RATE) throw new EngineError('ERR_ENGINE_FORMAT', `unexpected sample rate ${parsed.sampleRate}`);
        return { pcm: parsed.data, sampleRate: parsed.sampleRate };
      }, options.signal);
    },
    async close() {
      await Promise.all(workers.map((w) => w.thread.terminate()));
      workers = [];
      pool = undefined;
    },
  };
}
