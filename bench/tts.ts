/**
 * `npm run bench:tts`: per engine, time to first audio byte and real-time factor for a short
 * and a ~300-character text, medians over several runs (after one warm-up run).
 * TTFB: from speak() to the first chunk (default chunk_size 8192, wav), as a client sees it.
 * RTF: wall time to receive the whole stream, read as fast as possible / seconds of audio.
 * Targets (issue 5): Piper TTFB < 300 ms for the long text, RTF < 1.
 * Options: BENCH_RUNS (default 7), BENCH_ENGINES (default embedded,espeak,piper).
 */
import { parseTtsConfig, type TtsEngineName } from '../src/config/tts.ts';
import type { Publisher } from '../src/eventlog/publisher.ts';
import { systemClock } from '../src/shared/clock.ts';
import { randomIds } from '../src/shared/ids.ts';
import { createTtsService } from '../src/tts/service.ts';
import { parseWav } from '../src/tts/wav.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const ENGINES = (process.env.BENCH_ENGINES ?? 'embedded,espeak,piper').split(',') as TtsEngineName[];
const TEXTS = {
  short: 'Hello, how can I help you today?',
  long:
    'The weather today is clear and mild across most of the region. Light winds come from the west. ' +
    'In the afternoon, clouds may gather over the hills near the coast. Tomorrow looks warmer, with sunshine in the morning. ' +
    'A few showers are possible by evening. Next week should stay dry and bright.',
};

// Events are not what is measured here: a publisher that drops them.
const nullPublisher: Publisher = {
  publish: (def, data, meta) => ({ specversion: '1.0', id: '', source: 'bench', type: def.type, time: '', datacontenttype: 'application/json', data, ...(meta.requestId ? { requestid: meta.requestId } : {}) }) as never,
  flush: async () => {},
  drain: async () => {},
  stats: () => ({ outboxDepth: 0, outboxCapacity: 0, delivered: 0, lastError: null }),
  close: async () => {},
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Row { engine: string; voice: string; text: string; chars: number; ttfbMs: number; rtf: number; audioS: number; startMs: number }
const rows: Row[] = [];

for (const name of ENGINES) {
  const t0 = performance.now();
  let svc;
  try {
    svc = await createTtsService({ config: { tts: parseTtsConfig({ JARVIS_TTS_ENGINE: name }) }, publisher: nullPublisher, clock: systemClock, ids: randomIds });
  } catch (err) {
    console.log(`${name}: not available (${(err as Error).message})`);
    continue;
  }
  const startMs = performance.now() - t0;
  for (const [label, text] of Object.entries(TEXTS)) {
    const ttfb: number[] = [];
    const rtf: number[] = [];
    let audioS = 0;
    for (let i = 0; i <= RUNS; i++) {
      const start = performance.now();
      const res = await svc.speak({ text }, { requestId: `bench-${i}`, principal: null });
      let first = -1;
      const chunks: Buffer[] = [];
      for await (const c of res.stream) {
        if (first < 0) first = performance.now() - start;
        chunks.push(c as Buffer);
      }
      const total = (performance.now() - start) / 1000;
      const wav = parseWav(Buffer.concat(chunks));
      audioS = wav.data.length / 2 / wav.sampleRate;
      if (i === 0) continue; // warm-up
      ttfb.push(first);
      rtf.push(total / audioS);
    }
    rows.push({ engine: name, voice: svc.voice, text: label, chars: text.length, ttfbMs: median(ttfb), rtf: median(rtf), audioS, startMs });
  }
  await svc.close();
}

console.log(`\nTTS benchmark: ${RUNS} runs per cell (medians), wav, chunk_size 8192, pool ${parseTtsConfig({}).poolSize}`);
console.log('engine    voice              text   chars  TTFB ms    RTF   audio s  start ms');
for (const r of rows) {
  console.log(`${r.engine.padEnd(9)} ${r.voice.padEnd(18)} ${r.text.padEnd(6)} ${String(r.chars).padStart(5)} ${r.ttfbMs.toFixed(0).padStart(8)} ${r.rtf.toFixed(3).padStart(6)} ${r.audioS.toFixed(2).padStart(9)} ${r.startMs.toFixed(0).padStart(9)}`);
}
const piperLong = rows.find((r) => r.engine === 'piper' && r.text === 'long');
if (piperLong) {
  console.log(`\nPiper, ${piperLong.chars} characters: TTFB ${piperLong.ttfbMs.toFixed(0)} ms (target < 300) ${piperLong.ttfbMs < 300 ? 'OK' : 'MISSED'}; RTF ${piperLong.rtf.toFixed(3)} (target < 1) ${piperLong.rtf < 1 ? 'OK' : 'MISSED'}`);
}
