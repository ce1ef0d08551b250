/**
 * Compressed formats go through Debian's ffmpeg and decode back to speech; without ffmpeg
 * they are refused with a problem that names what is missing; unknown voices are refused;
 * OpenAI voice names speak with the configured voice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { AppError } from '../../src/shared/errors.ts';
import { fromOpenAiSpeech } from '../../src/tts/openai.ts';
import { OpenAiSpeechRequest } from '../../src/tts/schemas.ts';
import type { TtsService } from '../../src/tts/service.ts';
import { ctxFor, receive, rms, samplesLE, ttsService } from '../support/tts-audio.ts';

/** Decodes with ffmpeg to 16 kHz mono PCM: what a player would hear. */
function decode(bytes: Buffer, inputFormat?: string): Int16Array {
  const args = ['-hide_banner', '-loglevel', 'error', ...(inputFormat ? inputFormat.split(' ') : []), '-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', '16000', 'pipe:1'];
  const r = spawnSync('ffmpeg', args, { input: bytes, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr.toString());
  return samplesLE(r.stdout);
}

const TEXT = 'This sentence is encoded, sent, and decoded again.';

describe('formats and voices (espeak-ng)', () => {
  let svc: TtsService;
  before(async () => { ({ svc } = await ttsService('espeak')); });
  after(async () => { await svc.close(); });

  for (const [format, type, magic] of [['mp3', 'audio/mpeg', null], ['opus', 'audio/ogg; codecs=opus', 'OggS'], ['aac', 'audio/aac', null], ['flac', 'audio/flac', 'fLaC']] as const) {
    it(`sends ${format} as ${type} that decodes to about as long, audible speech`, async () => {
      const wav = decode((await receive((await svc.speak({ text: TEXT }, ctxFor())).stream)).bytes);
      const res = await svc.speak({ text: TEXT, format }, ctxFor());
      assert.equal(res.contentType, type);
      const { bytes } = await receive(res.stream);
      if (magic) assert.equal(bytes.toString('ascii', 0, 4), magic);
      const heard = decode(bytes);
      assert.ok(Math.abs(heard.length - wav.length) / wav.length < 0.1, `${heard.length} vs ${wav.length} samples`);
      assert.ok(rms(heard) > 0.02);
    });
  }

  it('maps OpenAI pcm to 24 kHz little-endian samples', async () => {
    const body = OpenAiSpeechRequest.parse({ model: 'tts-1', input: TEXT, voice: 'alloy', response_format: 'pcm' });
    const res = await svc.speak(fromOpenAiSpeech(body, true), ctxFor());
    assert.equal(res.contentType, 'audio/pcm; rate=24000; channels=1; encoding=s16le');
    const { bytes } = await receive(res.stream);
    const heard = decode(bytes, '-f s16le -ar 24000 -ac 1');
    assert.ok(rms(heard) > 0.02);
    const seconds = bytes.length / 2 / 24000;
    assert.ok(seconds > 2 && seconds < 6, `${seconds}s`);
  });

  it('speaks OpenAI voice names and espeak voices, and refuses a voice it does not have', async () => {
    for (const voice of ['alloy', 'nova', 'en-gb', 'de']) {
      const { bytes } = await receive((await svc.speak({ text: 'Hallo.', voice }, ctxFor())).stream);
      assert.ok(bytes.length > 44 + 4000, voice);
    }
    await assert.rejects(svc.speak({ text: 'Hi.', voice: 'klingon' }, ctxFor()), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'ERR_TTS_VOICE_UNSUPPORTED');
      assert.equal(err.status, 400);
      assert.equal(err.errors?.[0]?.path, 'voice');
      return true;
    });
  });
});

describe('without ffmpeg', () => {
  let svc: TtsService;
  before(async () => { ({ svc } = await ttsService('espeak', {}, { ffmpeg: false })); });
  after(async () => { await svc.close(); });

  it('refuses mp3 and opus with a problem naming the missing ffmpeg, and still speaks wav and pcm', async () => {
    for (const format of ['mp3', 'opus'] as const) {
      await assert.rejects(svc.speak({ text: TEXT, format }, ctxFor()), (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.equal(err.code, 'ERR_TTS_FORMAT_UNAVAILABLE');
        assert.equal(err.status, 400);
        assert.match(err.detail ?? '', /ffmpeg/);
        return true;
      });
    }
    assert.deepEqual(svc.status().formats, ['wav', 'pcm']);
    const { bytes } = await receive((await svc.speak({ text: TEXT, format: 'pcm' }, ctxFor())).stream);
    assert.ok(bytes.length > 10_000);
  });
});
