/**
 * Chat events through the real publisher into the real embedded event log, read back by a
 * consumer: valid envelopes on topic jarvis.chat, keyed by conversation, without texts.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { decodeEnvelope } from '../../src/eventlog/envelope.ts';
import { createPublisher } from '../../src/eventlog/factory.ts';
import { catalogTopics } from '../../src/eventlog/topics.ts';
import { loadConfig } from '../../src/config/config.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { randomIds } from '../../src/shared/ids.ts';
import { CHAT_TOPIC } from '../../events/chat.ts';
import { chatHarness } from '../support/chat-harness.ts';
import { collect, embeddedFactory } from '../support/eventlog-harness.ts';

it('publishes each turn to jarvis.chat on the embedded log, keyed by conversation, without texts', { timeout: 30_000 }, async () => {
  const factory = embeddedFactory(catalogTopics());
  const log = factory.open();
  await log.start();
  const publisher = createPublisher(loadConfig({ NODE_ENV: 'test', JARVIS_INSTANCE_ID: 'chat-test' }), log, systemClock, randomIds);
  const h = await chatHarness({ anthropic: { faults: ['server_error'], reply: 'Noted, sir.' }, local: { reply: 'Noted, sir.' }, env: { JARVIS_CHAT_PROVIDERS: 'anthropic,local' }, realPublisher: publisher });
  try {
    const first = await h.service.chat({ text: 'remember the code 5150' }, h.ctx('env-3'));
    await h.service.chat({ text: 'and 6160', conversation_id: first.conversation_id }, h.ctx('env-3'));
    await publisher.drain(5000);
    const consumer = await collect(log, { groupId: 'chat-test', topics: [CHAT_TOPIC], fromBeginning: true });
    await consumer.until((r) => r.length >= 4);
    await consumer.stop();
    assert.ok(consumer.records.every((r) => r.key === first.conversation_id));
    const events = consumer.records.map((r) => decodeEnvelope(r.value));
    assert.deepEqual(events.map((e) => e.type).sort(), ['jarvis.chat.chat_completed.v1', 'jarvis.chat.chat_completed.v1', 'jarvis.chat.chat_requested.v1', 'jarvis.chat.chat_requested.v1']);
    const completed = events.filter((e) => e.type === 'jarvis.chat.chat_completed.v1').map((e) => e.data as { provider: string; fallbacks: { provider: string; reason: string }[] });
    assert.deepEqual(completed[0], { ...completed[0], provider: 'local', fallbacks: [{ provider: 'anthropic', reason: 'server_error' }] });
    const raw = consumer.records.map((r) => r.value.toString('utf8')).join('\n');
    assert.ok(!raw.includes('5150') && !raw.includes('6160') && !raw.includes('Noted'), 'no prompt or answer text on the log');
  } finally {
    await h.close();
    await publisher.close();
    await log.close();
    factory.cleanup();
  }
});
