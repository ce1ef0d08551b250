// Exits 0 once a kafkajs admin client can connect to the broker and list topics, 1 otherwise.
// start.sh calls it in a loop: a port that accepts TCP is not yet a broker that answers.
import process from 'node:process';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const broker = process.argv[2] ?? '127.0.0.1:9092';
const kafka = new Kafka({ clientId: 'jarvis-kafka-wait', brokers: [broker], logLevel: logLevel.NOTHING, connectionTimeout: 2000, requestTimeout: 4000, retry: { retries: 0 } });
const admin = kafka.admin();
try {
  await admin.connect();
  await admin.listTopics();
  await admin.disconnect();
  process.exit(0);
} catch {
  await admin.disconnect().catch(() => {});
  process.exit(1);
}
