/** Reads back every event a test instance has published, from its real event log. */
import { randomUUID } from 'node:crypto';
import type { Envelope } from '../../events/index.ts';
import { decodeEnvelope } from '../../src/eventlog/envelope.ts';
import type { Jarvis } from '../../src/main.ts';

/** Waits until the publisher has delivered, then reads the topics from the beginning. */
export async function eventsOf(jarvis: Jarvis, topics: readonly string[], settleMs = 300): Promise<Envelope[]> {
  await jarvis.publisher.drain(10_000);
  const out: Envelope[] = [];
  let last = Date.now();
  const sub = await jarvis.log.subscribe({
    groupId: `test-reader-${randomUUID()}`,
    topics,
    fromBeginning: true,
    async onBatch(batch) {
      for (const r of batch.records) out.push(decodeEnvelope(r.value));
      last = Date.now();
    },
  });
  const started = Date.now();
  while (Date.now() - last < settleMs || (out.length === 0 && Date.now() - started < 3000)) await new Promise((r) => setTimeout(r, 50));
  await sub.stop();
  return out;
}
