/** The streamed WAV header, the WAV reader, and the Piper worker framing. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRequest, frameReader } from '../../src/tts/piper/protocol.ts';
import { parseWav, toBigEndian16, UNKNOWN_SIZE, wavHeader } from '../../src/tts/wav.ts';

describe('wavHeader', () => {
  it('announces an unknown length with 0xFFFFFFFF sizes when streaming', () => {
    const h = wavHeader(22050);
    assert.equal(h.length, 44);
    assert.equal(h.toString('ascii', 0, 4), 'RIFF');
    assert.equal(h.readUInt32LE(4), UNKNOWN_SIZE);
    assert.equal(h.toString('ascii', 8, 16), 'WAVEfmt ');
    assert.equal(h.readUInt32LE(24), 22050);
    assert.equal(h.readUInt32LE(28), 44100);
    assert.equal(h.readUInt16LE(34), 16);
    assert.equal(h.readUInt32LE(40), UNKNOWN_SIZE);
  });

  it('reads back what it wrote, the data running to the end of a streamed file', () => {
    const data = Buffer.from([1, 0, 2, 0, 3, 0]);
    const parsed = parseWav(Buffer.concat([wavHeader(16000), data]));
    assert.equal(parsed.sampleRate, 16000);
    assert.deepEqual(parsed.data, data);
    assert.deepEqual(parseWav(Buffer.concat([wavHeader(16000, 4), data])).data, data.subarray(0, 4));
  });

  it('refuses what is not WAV', () => {
    assert.throws(() => parseWav(Buffer.from('ID3 not a wav file at all')), /RIFF/);
  });

  it('swaps samples to network byte order for audio/L16', () => {
    assert.deepEqual(toBigEndian16(Buffer.from([0x34, 0x12, 0xff, 0x7f])), Buffer.from([0x12, 0x34, 0x7f, 0xff]));
  });
});

describe('Piper worker framing', () => {
  it('length-prefixes a JSON request', () => {
    const f = encodeRequest(7, 'héllo', 0.5);
    assert.equal(f.readUInt32BE(0), f.length - 4);
    assert.deepEqual(JSON.parse(f.subarray(4).toString('utf8')), { id: 7, text: 'héllo', length_scale: 0.5 });
  });

  it('reassembles frames split anywhere across reads', () => {
    const frame = (kind: string, id: number, payload: Buffer) => {
      const h = Buffer.alloc(9);
      h.write(kind, 0, 'ascii');
      h.writeUInt32BE(id, 1);
      h.writeUInt32BE(payload.length, 5);
      return Buffer.concat([h, payload]);
    };
    const all = Buffer.concat([frame('A', 1, Buffer.alloc(1000, 1)), frame('D', 1, Buffer.from('{"samples":500}'))]);
    const r = frameReader();
    const got = [];
    for (let i = 0; i < all.length; i += 7) got.push(...r.push(all.subarray(i, i + 7)));
    assert.deepEqual(got.map((f) => [f.kind, f.id, f.payload.length]), [['A', 1, 1000], ['D', 1, 15]]);
  });

  it('refuses a malformed frame instead of reading garbage', () => {
    assert.throws(() => frameReader().push(Buffer.from('Zxxxxxxxxxxx')), /malformed/);
  });
});
