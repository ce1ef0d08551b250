/**
 * A second OS process for the embedded-log tests (spawned with `node --import tsx`):
 *   append <file> <tag> <n>     appends n records keyed <tag>0..<tag>4, in small batches, then exits
 *   consume <file> <groupId>    joins the group and prints one JSON line per record until stdin closes
 * Topics: `orders` with 3 partitions, as the tests create them.
 */
import { EmbeddedEventLog } from '../../src/eventlog/embedded/log.ts';

const [mode, file, arg1, arg2] = process.argv.slice(2);
if (!file) throw new TypeError('usage: eventlog-child.ts append|consume <file> …');
const log = new EmbeddedEventLog({ file, topics: { orders: { partitions: 3, retentionMs: -1 } }, consumer: { heartbeatMs: 200, leaseMs: 3000 } });
await log.start();

if (mode === 'append') {
  const tag = arg1!;
  const n = Number(arg2);
  for (let i = 0; i < n; i += 10) {
    const batch = Array.from({ length: Math.min(10, n - i) }, (_, j) => {
      const k = i + j;
      return { topic: 'orders', key: `${tag}${k % 5}`, value: Buffer.from(JSON.stringify({ key: `${tag}${k % 5}`, seq: Math.floor(k / 5) })) };
    });
    await log.append(batch);
    if (i % 50 === 0) await new Promise((r) => setImmediate(r)); // interleave with the other writer
  }
  await log.close();
} else if (mode === 'consume') {
  const sub = await log.subscribe({
    groupId: arg1!,
    topics: ['orders'],
    fromBeginning: true,
    onBatch: async (b) => {
      for (const r of b.records) process.stdout.write(`${JSON.stringify({ key: r.key, partition: r.partition, offset: r.offset, value: r.value.toString() })}\n`);
    },
  });
  process.stdout.write('{"ready":true}\n');
  process.stdin.resume();
  process.stdin.on('end', () => {
    void sub.stop().then(() => log.close());
  });
}
