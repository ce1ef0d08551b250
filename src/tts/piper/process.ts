/**
 * One warm Piper worker process (src/tts/piper/worker.py): loads the voice once, then answers
 * one request at a time. If it dies, pending requests fail and the next request respawns it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../engines/types.ts';
import { encodeRequest, frameReader } from './protocol.ts';

/**
 * worker.py sits beside this module in the source tree; `tsc` does not copy it into dist/, so
 * a compiled build looks for the source tree's copy (the image must ship it: see the report
 * on deployment) before giving up with a message that says where it looked.
 */
function findWorker(): string {
  const here = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker.py');
  const candidates = [here, here.replace(`${path.sep}dist${path.sep}`, path.sep), path.resolve('src/tts/piper/worker.py')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new EngineError('ERR_ENGINE_MISSING', `Piper worker script not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** How long one sentence may take before the worker is presumed hung. */
const SENTENCE_TIMEOUT_MS = 60_000;

export interface PiperReady { readonly sample_rate: number; readonly voice: string }

interface Pending {
  readonly id: number;
  readonly chunks: Buffer[];
  resolve(pcm: Buffer): void;
  reject(err: Error): void;
}

export class PiperProcess {
  private child: ChildProcessWithoutNullStreams | undefined;
  private ready: Promise<PiperReady> | undefined;
  private pending: Pending | undefined;
  private seq = 0;
  private closing = false;

  constructor(private readonly python: string, private readonly voicePath: string, private readonly threads: number) {}

  /** The operating-system pid of the running worker, if any (for diagnostics). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process (if not running) and resolves once the voice is loaded. */
  start(): Promise<PiperReady> {
    if (this.ready) return this.ready;
    const child = spawn(this.python, [findWorker(), this.voicePath, String(this.threads)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    const reader = frameReader();
    let stderr = '';
    let wasReady = false;
    this.ready = new Promise<PiperReady>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
      child.on('error', (e) => reject(new EngineError('ERR_ENGINE_MISSING', `cannot start the Piper worker (${this.python}): ${e.message}; run \`npm run tts:install\``)));
      child.stdout.on('data', (data: Buffer) => {
        let frames;
        try {
          frames = reader.push(data);
        } catch (err) {
          child.kill('SIGKILL');
          this.fail(new EngineError('ERR_ENGINE_PROTOCOL', (err as Error).message));
          return;
        }
        for (const f of frames) {
          if (f.kind === 'R') wasReady = true;
          if (f.kind === 'R') resolve(JSON.parse(f.payload.toString('utf8')) as PiperReady);
          else this.onFrame(f.kind, f.id, f.payload);
        }
      });
      child.on('exit', (code, signal) => {
        this.child = undefined;
        this.ready = undefined;
        const why = `Piper worker exited (${signal ?? code})${stderr ? `: ${stderr.trim().split('\n').slice(-1)[0]}` : ''}`;
        reject(new EngineError('ERR_ENGINE_MISSING', `${why}; is Piper installed (npm run tts:install)?`));
        this.fail(new EngineError('ERR_ENGINE_CRASHED', why));
        // A worker that had loaded its voice and then died is brought back warm, once per
        // crash; one that never got ready is not retried in a loop (the next request will).
        if (wasReady && !this.closing) setTimeout(() => { if (!this.closing && !this.child) this.start().catch(() => {}); }, 500).unref();
      });
    });
    child.stdin.on('error', () => {}); // reported through 'exit'
    return this.ready;
  }

  /** Synthesizes `text`, resolving with all its 16-bit little-endian samples. One at a time. */
  async synthesize(text: string, lengthScale: number | null): Promise<Buffer> {
    if (this.closing) throw new EngineError('ERR_ENGINE_CLOSED', 'the Piper engine is closed');
    if (this.pending) throw new Error('PiperProcess.synthesize called while busy');
    await this.start();
    const child = this.child;
    if (!child) throw new EngineError('ERR_ENGINE_CRASHED', 'Piper worker is not running');
    const id = ++this.seq;
    return new Promise<Buffer>((resolve, reject) => {
      // A worker that stops answering is killed (and comes back through its exit).
      const timer = setTimeout(() => {
        this.fail(new EngineError('ERR_ENGINE_TIMEOUT', `Piper took over ${SENTENCE_TIMEOUT_MS} ms for one sentence`));
        child.kill('SIGKILL');
      }, SENTENCE_TIMEOUT_MS);
      const settle = <T>(f: (v: T) => void) => (v: T) => { clearTimeout(timer); f(v); };
      this.pending = { id, chunks: [], resolve: settle(resolve), reject: settle(reject) };
      child.stdin.write(encodeRequest(id, text, lengthScale));
    });
  }

  private onFrame(kind: 'A' | 'D' | 'E', id: number, payload: Buffer): void {
    const p = this.pending;
    if (!p || p.id !== id) return;
    if (kind === 'A') {
      p.chunks.push(Buffer.from(payload));
      return;
    }
    this.pending = undefined;
    if (kind === 'D') p.resolve(Buffer.concat(p.chunks));
    else p.reject(new EngineError('ERR_ENGINE_FAILED', `Piper failed: ${JSON.parse(payload.toString('utf8')).message as string}`));
  }

  private fail(err: Error): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(err);
  }

  /** Closes stdin (the worker exits on EOF), and kills it if it lingers. */
  async close(): Promise<void> {
    this.closing = true;
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.once('exit', () => { clearTimeout(timer); resolve(); });
      child.stdin.end();
    });
  }
}
