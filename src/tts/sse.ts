/**
 * OpenAI's `stream_format: "sse"` for speech: each audio chunk becomes a `speech.audio.delta`
 * event (base64), and the end a `speech.audio.done` event. Usage is reported as zero tokens:
 * nothing here is metered in tokens, and inventing a count would mislead.
 */
import { pipeline, Transform, type Readable } from 'node:stream';

export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/** Wraps an audio stream as Server-Sent Events; an error in the audio destroys this stream too. */
export function toSpeechSse(audio: Readable): Readable {
  const events = new Transform({
    writableObjectMode: true,
    transform(chunk: Buffer, _enc, done) {
      done(null, `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: chunk.toString('base64') })}\n\n`);
    },
    flush(done) {
      done(null, `data: ${JSON.stringify({ type: 'speech.audio.done', usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 } })}\n\n`);
    },
  });
  pipeline(audio, events, () => {});
  return events;
}
