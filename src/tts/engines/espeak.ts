/**
 * Debian's espeak-ng binary: one short process per sentence (it starts in a few ms, so no
 * warm worker is needed). Text goes in on stdin, never as an argument, so no text can be
 * read as an option. An abort kills the process.
 */
import { spawn } from 'node:child_process';
import { parseWav } from '../wav.ts';
import { EngineError, ESPEAK_VOICES, espeakRate, type PcmAudio, type SynthesisOptions, type TtsEngine } from './types.ts';

const DEFAULT_VOICE = 'en-us';

function run(binary: string, args: string[], input: string, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], signal });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-500); });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.name === 'AbortError') reject(e);
      else reject(new EngineError(e.code === 'ENOENT' ? 'ERR_ENGINE_MISSING' : 'ERR_ENGINE_FAILED', `${binary}: ${e.message}`));
    });
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else if (!signal?.aborted) reject(new EngineError('ERR_ENGINE_FAILED', `${binary} exited with ${code}: ${err.trim()}`));
    });
    child.stdin.on('error', () => {}); // the process may exit before reading all input
    child.stdin.end(input);
  });
}

/** Creates the espeak-ng (Debian binary) engine. */
export function createEspeakEngine(binary = 'espeak-ng'): TtsEngine {
  let sampleRate = 22050;
  const synth = async (text: string, options: SynthesisOptions): Promise<PcmAudio> => {
    const args = ['--stdin', '--stdout', '-v', options.voice ?? DEFAULT_VOICE, '-s', String(espeakRate(options.speed))];
    const wav = parseWav(await run(binary, args, text, options.signal));
    if (wav.bitsPerSample !== 16 || wav.channels !== 1) throw new EngineError('ERR_ENGINE_FORMAT', 'espeak-ng did not produce 16-bit mono audio');
    return { pcm: wav.data, sampleRate: wav.sampleRate };
  };
  return {
    name: 'espeak',
    voice: DEFAULT_VOICE,
    voices: ESPEAK_VOICES,
    get sampleRate() {
      return sampleRate;
    },
    async start() {
      try {
        sampleRate = (await synth('ready', { speed: 1 })).sampleRate;
      } catch (err) {
        if (err instanceof EngineError && err.code === 'ERR_ENGINE_MISSING') {
          throw new EngineError(err.code, 'espeak-ng is not installed: run `npm run tts:install` (or apt-get install espeak-ng)', { cause: err });
        }
        throw err;
      }
    },
    synthesize: synth,
    async close() {},
  };
}
