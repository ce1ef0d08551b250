/** Builds the engine JARVIS_TTS_ENGINE names. */
import type { TtsConfig } from '../../config/tts.ts';
import { createEmbeddedEngine } from './embedded.ts';
import { createEspeakEngine } from './espeak.ts';
import { createPiperEngine } from './piper.ts';
import type { TtsEngine } from './types.ts';

export function createEngine(config: TtsConfig): TtsEngine {
  switch (config.engine) {
    case 'embedded':
      return createEmbeddedEngine(config.poolSize);
    case 'espeak':
      return createEspeakEngine();
    case 'piper':
      return createPiperEngine({ python: config.piperPython, voicePath: config.piperVoice, poolSize: config.poolSize, threads: config.piperThreads });
    default: {
      const never: never = config.engine;
      throw new TypeError(`unknown TTS engine ${String(never)}`);
    }
  }
}
