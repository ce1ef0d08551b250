/** Speech: synthesis jobs, how fast audio starts, how fast engines are, and the queue. */
import { METRIC } from '../src/telemetry/names.ts';
import { quantile, rate, series } from './lib/selectors.ts';
import type { DashboardSpec } from './lib/spec.ts';

export const speech: DashboardSpec = {
  uid: 'jarvis-speech',
  title: 'Jarvis / Speech',
  description: 'Text-to-speech: job outcomes, time to first audio byte, real-time factor per engine, and the queue that absorbs bursts.',
  tags: ['tts'],
  rows: [
    {
      title: 'Jobs',
      panels: [
        { title: 'Jobs by outcome', kind: 'timeseries', unit: 'short', tells: 'Jobs per second per engine: completed, failed (engine error), cancelled (client left), rejected (queue full).', queries: [{ expr: `sum by (engine, outcome) (${rate(METRIC.ttsJobs)})`, legend: '{{engine}} {{outcome}}' }] },
        {
          title: 'Job failure ratio',
          kind: 'stat',
          unit: 'percentunit',
          width: 6,
          tells: 'Share of finished jobs that failed or were rejected.',
          thresholds: [[null, 'green'], [0.01, 'orange'], [0.05, 'red']],
          queries: [{ expr: `(sum(${rate(METRIC.ttsJobs, 'outcome=~"failed|rejected"')}) or vector(0)) / sum(${rate(METRIC.ttsJobs)})` }],
        },
        { title: 'Characters per second', kind: 'stat', unit: 'short', width: 6, tells: 'Text throughput of all engines.', queries: [{ expr: `sum(${rate(METRIC.ttsCharacters)})` }] },
        {
          title: 'Time to first byte',
          kind: 'timeseries',
          unit: 's',
          tells: 'From accepting a job to the first audio byte on the wire: what a listener waits before hearing anything.',
          queries: [
            { expr: quantile(0.5, METRIC.ttsTimeToFirstByte, ['engine']), legend: 'p50 {{engine}}' },
            { expr: quantile(0.95, METRIC.ttsTimeToFirstByte, ['engine']), legend: 'p95 {{engine}}' },
          ],
        },
        { title: 'Synthesis duration p95', kind: 'timeseries', unit: 's', tells: 'Wall time an engine spends on one job.', queries: [{ expr: quantile(0.95, METRIC.ttsSynthesisDuration, ['engine']), legend: '{{engine}}' }] },
      ],
    },
    {
      title: 'Capacity',
      panels: [
        {
          title: 'Real-time factor',
          kind: 'timeseries',
          unit: 'short',
          tells: 'Synthesis seconds per second of audio, per engine: below 1 streams faster than it plays; rising means CPU starvation.',
          thresholds: [[null, 'green'], [1, 'red']],
          queries: [{ expr: `sum by (engine) (${rate(`${METRIC.ttsSynthesisDuration}_sum`)}) / sum by (engine) (${rate(METRIC.ttsAudioSeconds)})`, legend: '{{engine}}' }],
        },
        { title: 'Queue depth vs capacity', kind: 'timeseries', unit: 'short', tells: 'Waiting jobs against the queue size; JarvisTtsQueueSaturated fires above 80 %.', queries: [{ expr: `sum by (instance) (${series(METRIC.ttsQueueDepth)})`, legend: 'waiting {{instance}}' }, { expr: `sum by (instance) (${series(METRIC.ttsQueueCapacity)})`, legend: 'capacity {{instance}}' }] },
        { title: 'Active jobs', kind: 'timeseries', unit: 'short', tells: 'Jobs being synthesized now per instance (bounded by JARVIS_TTS_CONCURRENCY).', queries: [{ expr: `sum by (instance) (${series(METRIC.ttsActiveJobs)})`, legend: '{{instance}}' }] },
        { title: 'Audio produced', kind: 'timeseries', unit: 's', tells: 'Seconds of audio produced per second, per engine.', queries: [{ expr: `sum by (engine) (${rate(METRIC.ttsAudioSeconds)})`, legend: '{{engine}}' }] },
      ],
    },
  ],
};
