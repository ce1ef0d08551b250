/** Topic `jarvis.tts`: the life of every speech-synthesis job. Keyed by job id. */
import { z } from 'zod';
import { defineEvent, KeyId, RequestId } from './define.ts';

export const TTS_TOPIC = 'jarvis.tts';

const Job = {
  job_id: z.string().max(64),
  request_id: RequestId,
  principal: KeyId.nullable(),
  engine: z.string().max(32),
  voice: z.string().max(128),
};

export const TtsJobRequested = defineEvent({
  type: 'jarvis.tts.job_requested.v1',
  topic: TTS_TOPIC,
  description: 'A synthesis job was accepted into the queue.',
  data: z.object({ ...Job, characters: z.number().int().nonnegative(), format: z.string().max(16), queue_depth: z.number().int().nonnegative() }),
});

export const TtsJobStarted = defineEvent({
  type: 'jarvis.tts.job_started.v1',
  topic: TTS_TOPIC,
  description: 'A worker began synthesizing the job.',
  data: z.object({ ...Job, queued_ms: z.number().nonnegative() }),
});

export const TtsFirstAudio = defineEvent({
  type: 'jarvis.tts.first_audio.v1',
  topic: TTS_TOPIC,
  description: 'The first audio bytes of the job were sent to the client.',
  data: z.object({ ...Job, time_to_first_byte_ms: z.number().nonnegative() }),
});

export const TtsJobCompleted = defineEvent({
  type: 'jarvis.tts.job_completed.v1',
  topic: TTS_TOPIC,
  description: 'The job finished and every byte was sent.',
  data: z.object({
    ...Job,
    characters: z.number().int().nonnegative(),
    audio_seconds: z.number().nonnegative(),
    synthesis_seconds: z.number().nonnegative(),
    time_to_first_byte_ms: z.number().nonnegative(),
    bytes: z.number().int().nonnegative(),
  }),
});

export const TtsJobFailed = defineEvent({
  type: 'jarvis.tts.job_failed.v1',
  topic: TTS_TOPIC,
  description: 'The engine failed; a stream in progress was aborted so the client sees it.',
  data: z.object({ ...Job, error_code: z.string().max(64), synthesis_seconds: z.number().nonnegative() }),
});

export const TtsJobCancelled = defineEvent({
  type: 'jarvis.tts.job_cancelled.v1',
  topic: TTS_TOPIC,
  description: 'The client went away; the rest of the synthesis was cancelled.',
  data: z.object({ ...Job, audio_seconds_sent: z.number().nonnegative() }),
});
