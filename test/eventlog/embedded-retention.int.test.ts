/** The embedded log applies each topic's retention as Kafka does, without reusing offsets. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { EmbeddedEventLog } from '../../src/eventlog/embedded/log.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import { collect, keyedRecords, tempDir, uniqueName } from '../support/eventlog-harness.ts';

const dir = tempDir('retention');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('records older than the retention are gone after a restart; kept-forever topics keep all; offsets keep growing', async () => {
  const clock = fixedClock(Date.UTC(2026, 0, 1));
  const topics = { short: { partitions: 1, retentionMs: 60_000 }, forever: { partitions: 1, retentionMs: -1 } };
  const open = () => new EmbeddedEventLog({ file: path.join(dir, 'eventlog.db'), topics, clock });
  const first = open();
  await first.start();
  await first.append([...keyedRecords('short', 2500, 1), ...keyedRecords('forever', 5, 1)]);
  clock.advance(120_000);
  await first.append(keyedRecords('short', 3, 1, 2500));
  await first.close();

  const second = open();
  await second.start(); // the retention pass runs on start
  await second.append(keyedRecords('short', 1, 1, 2503));
  const short = await collect(second, { groupId: uniqueName('g'), topics: ['short'], fromBeginning: true });
  const forever = await collect(second, { groupId: uniqueName('g'), topics: ['forever'], fromBeginning: true });
  await short.until((r) => r.length >= 4);
  await forever.until((r) => r.length >= 5);
  await short.stop();
  await forever.stop();
  await second.close();
  assert.deepEqual(short.records.map((r) => r.offset), ['2500', '2501', '2502', '2503']);
  assert.equal(forever.records.length, 5);
});
