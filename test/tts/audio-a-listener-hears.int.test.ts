/**
 * Each real engine speaks: a valid streamed WAV at the announced rate, audible samples, and
 * more text takes longer to say. pcm is big-endian L16 with its rate in the content type.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseWav, UNKNOWN_SIZE } from '../../src/tts/wav.ts';
import type { TtsService } from '../../src/tts/service.ts';
import { ctxFor, ENGINES, LONG_TEXT, receive, rms, samplesLE, ttsService } from '../support/tts-audio.ts';

for (const engine of ENGINES) {
  describe(`the ${engine} engine`, () => {
    let svc: TtsService;
    before(async () => { ({ svc } = await ttsService(engine)); });
    after(async () => { await svc.close(); });

    it('streams a RIFF/WAV with a streaming header, at the sample rate it announces, that is not silent', async () => {
      const res = await svc.speak({ text: 'Hello, this is Jarvis speaking.' }, ctxFor());
      assert.equal(res.contentType, 'audio/wav');
      const { bytes } = await receive(res.stream);
      assert.equal(bytes.toString('ascii', 0, 4), 'RIFF');
      assert.equal(bytes.readUInt32LE(4), UNKNOWN_SIZE, 'length unknown while streaming');
      const wav = parseWav(bytes);
      assert.equal(wav.format, 1);
      assert.equal(wav.channels, 1);
      assert.equal(wav.bitsPerSample, 16);
      assert.equal(wav.sampleRate, res.sampleRate);
      assert.equal(wav.sampleRate, svc.status().sample_rate);
      const seconds = wav.data.length / 2 / wav.sampleRate;
      assert.ok(seconds > 0.8 && seconds < 6, `duration ${seconds}s for one short sentence`);
      assert.ok(rms(samplesLE(wav.data)) > 0.02, 'audible');
    });

    it('takes longer to say a longer text', async () => {
      const short = parseWav((await receive((await svc.speak({ text: 'Good morning.' }, ctxFor())).stream)).bytes);
      const long = parseWav((await receive((await svc.speak({ text: LONG_TEXT }, ctxFor())).stream)).bytes);
      const s = short.data.length / 2 / short.sampleRate;
      const l = long.data.length / 2 / long.sampleRate;
      assert.ok(l > 5 * s, `long ${l.toFixed(2)}s vs short ${s.toFixed(2)}s`);
      assert.ok(l > 12, `~290 characters last more than 12 s (got ${l.toFixed(2)} s)`);
    });

    it('speaks faster when asked for speed 2', async () => {
      const normal = parseWav((await receive((await svc.speak({ text: LONG_TEXT }, ctxFor())).stream)).bytes);
      const fast = parseWav((await receive((await svc.speak({ text: LONG_TEXT, speed: 2 }, ctxFor())).stream)).bytes);
      assert.ok(fast.data.length < 0.75 * normal.data.length, `fast ${fast.data.length} vs normal ${normal.data.length}`);
    });

    it('sends pcm as big-endian audio/L16 with its rate in the content type', async () => {
      const res = await svc.speak({ text: 'Testing raw samples.', format: 'pcm' }, ctxFor());
      assert.equal(res.contentType, `audio/L16; rate=${res.sampleRate}; channels=1`);
      const { bytes } = await receive(res.stream);
      assert.equal(bytes.length % 2, 0);
      assert.notEqual(bytes.toString('ascii', 0, 4), 'RIFF', 'no header');
      const asBigEndian = samplesLE(Buffer.from(bytes).swap16());
      // Read with the right byte order, speech is smooth: neighbouring samples are close.
      // Read with the wrong one, it is noise. Compare the mean step in both readings.
      const step = (s: Int16Array) => { let d = 0; for (let i = 1; i < s.length; i++) d += Math.abs(s[i]! - s[i - 1]!); return d / s.length; };
      assert.ok(rms(asBigEndian) > 0.02, 'audible when read big-endian');
      assert.ok(step(asBigEndian) * 3 < step(samplesLE(bytes)), 'big-endian reading is the smooth one');
    });
  });
}
