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

/** Seconds one sentence may take before its thread is presumed hung and replaced. */
const SENTENCE_TIMEOUT_MS = 30_000;

function spawnWorker(onCrash: () => void): Promise<ThreadWorker> {
  const thread = newThread();
  const w: ThreadWorker = { thread, pending: new Map() };
  let ready = false;
  return new Promise((resolve, reject) => {
    thread.once('error', reject);
    thread.on('message', (msg: EmbeddedReply | { ready: true }) => {
      if ('ready' in msg) {
        ready = true;
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
    thread.on('exit', (code) => {
      failAll(w, new Error(`embedded engine thread exited (${code})`));
      reject(new EngineError('ERR_ENGINE_MISSING', `embedded engine thread exited before it was ready (${code})`));
      if (ready) onCrash(); // a thread that never got ready is not retried in a loop
    });
  });
}

function failAll(w: ThreadWorker, err: Error): void {
  for (const p of w.pending.values()) p.reject(new EngineError('ERR_ENGINE_CRASHED', err.message));
  w.pending.clear();
}

/** A pool place that always holds a live thread: a crashed or hung one is replaced. */
interface Slot { current: Promise<ThreadWorker> }

/** Creates the embedded (WASM) engine with `poolSize` worker threads. */
export function createEmbeddedEngine(poolSize: number): TtsEngine & { threads(): Promise<Worker[]> } {
  let slots: Slot[] = [];
  let pool: Pool<Slot> | undefined;
  let seq = 0;
  let closing = false;
  const newSlot = (): Slot => {
    const slot = {} as Slot;
    const spawn = () => {
      slot.current = spawnWorker(() => { if (!closing) spawn(); });
      slot.current.catch(() => {});
    };
    spawn();
    return slot;
  };
  return {
    name: 'embedded',
    voice: DEFAULT_VOICE,
    voices: ESPEAK_VOICES,
    sampleRate: SAMPLE_RATE,
    async start() {
      slots = Array.from({ length: poolSize }, newSlot);
      await Promise.all(slots.map((s) => s.current));
      pool = createPool(slots);
    },
    async synthesize(text: string, options: SynthesisOptions): Promise<PcmAudio> {
      if (!pool) throw new EngineError('ERR_ENGINE_NOT_STARTED', 'embedded engine not started');
      return pool.use(async (slot) => {
        const w = await slot.current;
        // The sentence in a worker thread cannot be interrupted (it takes ~50 ms); an abort
        // only stops the sentences after it.
        const id = ++seq;
        const args = ['-v', options.voice ?? DEFAULT_VOICE, '-s', String(espeakRate(options.speed)), '--', text];
        const wav = await new Promise<Uint8Array>((resolve, reject) => {
          const timer = setTimeout(() => {
            reject(new EngineError('ERR_ENGINE_TIMEOUT', `embedded engine took over ${SENTENCE_TIMEOUT_MS} ms for one sentence`));
            void w.thread.terminate(); // replaced through its exit
          }, SENTENCE_TIMEOUT_MS);
          const settle = <T>(f: (v: T) => void) => (v: T) => { clearTimeout(timer); f(v); };
          w.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
          w.thread.postMessage({ id, args } satisfies EmbeddedRequest);
        });
        const parsed = parseWav(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
        if (parsed.sampleRate !== SAMPLE_RATE) throw new EngineError('ERR_ENGINE_FORMAT', `unexpected sample rate ${parsed.sampleRate}`);
        return { pcm: parsed.data, sampleRate: parsed.sampleRate };
      }, options.signal);
    },
    async close() {
      closing = true;
      const live = await Promise.allSettled(slots.map((s) => s.current));
      await Promise.all(live.map((r) => (r.status === 'fulfilled' ? r.value.thread.terminate() : undefined)));
      slots = [];
      pool = undefined;
    },
    /** The live worker threads (diagnostics, and the crash test). */
    threads: async () => (await Promise.all(slots.map((s) => s.current))).map((w) => w.thread),
  };
}
