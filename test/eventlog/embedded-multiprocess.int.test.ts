/**
 * The embedded log serves several processes of one machine: they append to the same file
 * without clashing offsets, and a consumer group splits partitions across processes, with a
 * crashed member's partitions taken over once its lease expires.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventLog } from '../../src/eventlog/types.ts';
import { collect, embeddedFactory, eventually, seqOf, sleep, uniqueName } from '../support/eventlog-harness.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '../support/eventlog-child.ts');
const TOPICS = { orders: { partitions: 3, retentionMs: -1 } };

function child(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
}

describe('embedded log across OS processes', () => {
  const factory = embeddedFactory(TOPICS);
  const children: ChildProcess[] = [];
  const logs: EventLog[] = [];
  // A failed assertion must not leave a subscription polling (the test process would never exit).
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const l of logs) await l.close();
    factory.cleanup();
  });

  test('two processes append to the same file and a consumer in a third sees both, in order per key', async () => {
    const log = factory.open();
    logs.push(log);
    await log.start();
    const c = await collect(log, { groupId: uniqueName('g'), topics: ['orders'], fromBeginning: true });
    const writers = [child(['append', factory.file, 'a', '500']), child(['append', factory.file, 'b', '500'])];
    children.push(...writers);
    const codes = await Promise.all(writers.map(async (w) => (await once(w, 'exit', { signal: AbortSignal.timeout(60_000) }))[0] as number));
    assert.deepEqual(codes, [0, 0]);
    await c.until((r) => r.length >= 1000, 15_000);
    await c.stop();
    await log.close();
    assert.equal(c.records.length, 1000);
    const offsets = new Set(c.records.map((r) => `${r.partition}/${r.offset}`));
    assert.equal(offsets.size, 1000, 'no two records share an offset');
    const last = new Map<string, number>();
    for (const r of c.records) {
      assert.equal(seqOf(r), (last.get(r.key) ?? -1) + 1, `order of ${r.key}`);
      last.set(r.key, seqOf(r));
    }
    assert.deepEqual([...last.keys()].sort(), ['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'b3', 'b4']);
  });

  test('one group across two processes: each record goes to one member; a killed member’s partitions move on', async () => {
    const log = factory.open();
    logs.push(log);
    await log.start();
    const groupId = uniqueName('shared');
    const mine = await collect(log, { groupId, topics: ['orders'], fromBeginning: false });
    const other = child(['consume', factory.file, groupId]);
    children.push(other);
    const theirs: { key: string; partition: number; value: string }[] = [];
    let ready = false;
    let buffered = '';
    other.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const l of lines) {
        const o = JSON.parse(l) as { ready?: boolean; key: string; partition: number; value: string };
        if (o.ready) ready = true;
        else theirs.push(o);
      }
    });
    await eventually(() => ready, 30_000, 'the other process joined the group');
    await sleep(1200); // both members heartbeat (every 200 ms here) and settle on the assignment
    const batch = (from: number) => Array.from({ length: 90 }, (_, i) => ({ topic: 'orders', key: `k${i % 18}`, value: Buffer.from(JSON.stringify({ key: `k${i % 18}`, seq: from + Math.floor(i / 18) })) }));
    await log.append(batch(0));
    await eventually(() => mine.records.length + theirs.length >= 90, 15_000, 'all 90 records delivered to the group');
    await sleep(300);
    assert.equal(mine.records.length + theirs.length, 90, 'no record went to both members');
    assert.ok(mine.records.length > 0 && theirs.length > 0, `both members got partitions (${mine.records.length} here, ${theirs.length} there)`);
    const here = new Set(mine.records.map((r) => r.partition));
    assert.ok(theirs.every((r) => !here.has(r.partition)), 'no partition is shared');

    // Crash the other member: after its lease expires (3 s here) its partitions come to us.
    other.kill('SIGKILL');
    await once(other, 'exit', { signal: AbortSignal.timeout(10_000) });
    await log.append(batch(5));
    const t0 = Date.now();
    await eventually(() => mine.records.filter((r) => seqOf(r) >= 5).length >= 90, 20_000, 'the survivor takes over every partition');
    const takeoverMs = Date.now() - t0;
    assert.ok(takeoverMs < 15_000, `took over in ${takeoverMs} ms`);
    await mine.stop();
    await log.close();
  });
});
