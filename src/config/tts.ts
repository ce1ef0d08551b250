/** The speech section of the configuration: engine, voice, pool and queue. Owned by src/tts. */
import { type Env, int, oneOf, optStr } from './parse.ts';

export type TtsEngineName = 'embedded' | 'espeak' | 'piper';

export interface TtsConfig {
  readonly engine: TtsEngineName;
  /** Path to a Piper .onnx voice; default: the voice installed by `npm run tts:install`. */
  readonly piperVoice: string | undefined;
  readonly piperPython: string | undefined;
  /** ONNX threads per Piper worker; 0: the cores divided by the pool size. */
  readonly piperThreads: number;
  readonly poolSize: number;
  readonly queueMax: number;
  readonly concurrency: number;
}

export function parseTtsConfig(env: Env): TtsConfig {
  return {
    engine: oneOf(env, 'JARVIS_TTS_ENGINE', ['embedded', 'espeak', 'piper'] as const, 'embedded'),
    piperVoice: optStr(env, 'JARVIS_PIPER_VOICE'),
    piperPython: optStr(env, 'JARVIS_PIPER_PYTHON'),
    piperThreads: int(env, 'JARVIS_PIPER_THREADS', 0, 0, 64),
    poolSize: int(env, 'JARVIS_TTS_POOL', 2, 1, 64),
    queueMax: int(env, 'JARVIS_TTS_QUEUE_MAX', 32, 1),
    concurrency: int(env, 'JARVIS_TTS_CONCURRENCY', 2, 1, 64),
  };
}
