/**
 * Wraps a real engine and counts the sentences it was asked to synthesize, so tests can see
 * how far synthesis got (backpressure, cancellation). It changes nothing else.
 */
import type { PcmAudio, SynthesisOptions, TtsEngine } from '../../src/tts/engines/types.ts';

export interface CountingEngine extends TtsEngine {
  readonly calls: string[];
  readonly done: number;
}

export function countingEngine(inner: TtsEngine): CountingEngine {
  const calls: string[] = [];
  let done = 0;
  return {
    get name() { return inner.name; },
    get voice() { return inner.voice; },
    get voices() { return inner.voices; },
    get sampleRate() { return inner.sampleRate; },
    calls,
    get done() { return done; },
    start: () => inner.start(),
    close: () => inner.close(),
    async synthesize(text: string, options: SynthesisOptions): Promise<PcmAudio> {
      calls.push(text);
      const audio = await inner.synthesize(text, options);
      done++;
      return audio;
    },
  };
}
