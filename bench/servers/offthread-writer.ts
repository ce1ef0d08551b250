// The worker thread of koa-events-offthread.ts: appends batches of records to an embedded-log
// file (the same schema, pragmas and partitioner as src/eventlog/embedded), one transaction per
// batch, and reports how many it wrote.
import { parentPort, workerData } from 'node:worker_threads';
import { openLogDb } from '../../src/eventlog/embedded/db.ts';
import { partitionFor } from '../../src/eventlog/partition.ts';
import { catalogTopics } from '../../src/eventlog/topics.ts';

/** A batch: [topic, key, value, headers JSON] repeated. */
type Batch = string[];

const db = openLogDb((workerData as { file: string }).file, 'normal');
const topics = catalogTopics();
const insert = db.prepare('INSERT INTO records (topic, partition, "offset", key, value, headers, ts) VALUES (?, ?, ?, ?, ?, ?, ?)');
const next = new Map<string, number>();
const append = db.transaction((batch: Batch) => {
  const ts = Date.now();
  for (let i = 0; i < batch.length; i += 4) {
    const topic = batch[i]!;
    const key = batch[i + 1]!;
    const partition = partitionFor(key, topics[topic]!.partitions);
    const at = `${topic}\u0000${partition}`;
    const offset = next.get(at) ?? 0;
    next.set(at, offset + 1);
    insert.run(topic, partition, offset, key, Buffer.from(batch[i + 2]!, 'utf8'), batch[i + 3]!, ts);
  }
});
parentPort!.on('message', (batch: Batch) => {
  append.immediate(batch);
  parentPort!.postMessage(batch.length / 4);
});
