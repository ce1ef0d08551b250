/**
 * Several API instances behind the real nginx with the deployment configuration: a stream URL
 * and a conversation live only in the memory of the instance that answered the /chat, so nginx
 * must send each credential's /chat and stream URLs to one instance, and spread different
 * credentials over all of them.
 *
 * Two real Jarvis instances (each its own data directory, embedded log and speech engine),
 * trusting nginx as on a manual install. Each has its own model stand-in, whose answer names
 * the instance and counts the user turns it was sent: an answer says which instance gave it and
 * whether the conversation's history came along. Each check uses its own loopback source
 * addresses (nginx limits per address); affinity is by the Authorization header only.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, privateHostsUnavailable, startNginx, type RunningNginx } from '../support/deployment-nginx.ts';
import { ask, type Reply } from '../support/deployment-client.ts';
import { startUpstream, type Upstream } from '../support/deployment-upstream.ts';
import { startOpenAIStandIn, type StandIn } from '../support/chat-openai-server.ts';
import { startTestJarvis, type TestJarvis } from '../support/http-jarvis.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Sixteen keys: that all land on one of two instances has odds of about 2 in 65,536. */
const KEYS = Array.from({ length: 16 }, (_, i) => `affinity-key-${String(i).padStart(2, '0')}-0123456789abcdef`);
const keyEnv = Object.fromEntries(KEYS.flatMap((key, i) => [[`JARVIS_API_KEY_${11 + i}`, key], [`JARVIS_API_KEY_${11 + i}_PERMISSIONS`, 'read,chat,stream']]));

type Name = 'a' | 'b';
interface Instance { readonly name: Name; readonly llm: StandIn; readonly api: TestJarvis }
interface ChatAnswer { readonly request_id: string; readonly response: string; readonly conversation_id: string; readonly stream_url?: string }

let instances: Instance[] = [];
let nginx: RunningNginx;

/** "Instance a, turn 2." : who answered, and how many user turns its model was sent. */
function reply(name: Name) {
  return (body: unknown): string => {
    const turns = ((body as { messages?: { role: string }[] }).messages ?? []).filter((m) => m.role === 'user').length;
    return `Instance ${name}, turn ${turns}.`;
  };
}

async function startInstance(name: Name): Promise<Instance> {
  const llm = await startOpenAIStandIn({ reply: reply(name) });
  const api = await startTestJarvis({
    JARVIS_TRUSTED_PROXIES: '127.0.0.1',
    JARVIS_TRUSTED_HOSTS: 'localhost',
    JARVIS_TTS_ENGINE: 'embedded',
    JARVIS_LOCAL_LLM_URL: llm.url,
    ...keyEnv,
  });
  return { name, llm, api };
}

before(async () => {
  instances = await Promise.all([startInstance('a'), startInstance('b')]);
  nginx = await startNginx(instances.map((i) => new URL(i.api.url).host));
});

after(async () => {
  await nginx?.stop();
  for (const i of instances) {
    await i.api.close();
    await i.llm.close();
  }
});

const modelCalls = (i: Instance): number => i.llm.requests.filter((r) => r.path.endsWith('/chat/completions')).length;

function instanceOf(answer: ChatAnswer): Name {
  const m = /^Instance (a|b), turn \d+\.$/.exec(answer.response);
  assert.ok(m, `an answer from one of the instances' models: ${answer.response}`);
  return m[1] as Name;
}

function postChat(edge: RunningNginx, key: string, from: string, body: object): Promise<Reply> {
  return ask(edge, { method: 'POST', path: '/chat', from, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

async function chat(edge: RunningNginx, key: string, from: string, body: object): Promise<ChatAnswer> {
  const r = await postChat(edge, key, from, body);
  assert.equal(r.status, 200, `POST /chat: ${r.status} ${r.body.toString().slice(0, 300)}`);
  return JSON.parse(r.body.toString()) as ChatAnswer;
}

/** GETs a stream URL with the key that asked for it, and checks that speech came back. */
async function fetchSpeech(edge: RunningNginx, key: string, from: string, url: string, what: string): Promise<void> {
  const r = await ask(edge, { path: url, from, headers: { Authorization: `Bearer ${key}` } });
  assert.equal(r.status, 200, `${what}: GET ${url} answered ${r.status} ${r.body.toString().slice(0, 200)}`);
  assert.equal(r.headers['content-type'], 'audio/wav', what);
  assert.equal(r.body.subarray(0, 4).toString('latin1'), 'RIFF', what);
  assert.ok(r.body.length > 1000, `${what}: ${r.body.length} bytes of audio`);
}

test('stream URLs fetch through nginx every time: 16 keys once each, spread over both instances, then 6 chats in a row for a key on each', async () => {
  const callsBefore = instances.map(modelCalls);
  const answered: Name[] = [];
  /** One chat asking for speech, then its stream URL, with the same key: the instance that answered. */
  const round = async (key: string, from: string, what: string): Promise<Name> => {
    const answer = await chat(nginx, key, from, { text: 'Please answer aloud.', stream_audio: true });
    assert.equal(answer.stream_url, `/audio/stream/${answer.request_id}`);
    await fetchSpeech(nginx, key, from, answer.stream_url, what);
    answered.push(instanceOf(answer));
    return instanceOf(answer);
  };
  // All keys side by side: their requests interleave at nginx.
  const home = await Promise.all(KEYS.map((key, k) => round(key, `127.0.0.${100 + k}`, `key ${k}`)));
  const keysOf = (name: Name): number => home.filter((h) => h === name).length;
  assert.ok(keysOf('a') > 0 && keysOf('b') > 0, `keys per instance: a ${keysOf('a')}, b ${keysOf('b')}`);
  // Then one key of each instance, five more rounds each, both at once.
  await Promise.all((['a', 'b'] as const).map(async (name) => {
    const k = home.indexOf(name);
    for (let i = 2; i <= 6; i++) assert.equal(await round(KEYS[k]!, `127.0.0.${100 + k}`, `key ${k}, chat ${i}`), name, `key ${k} moved`);
  }));
  // The instances' own models agree with the answers: each was asked exactly the chats it answered.
  for (const [n, i] of instances.entries()) assert.equal(modelCalls(i) - callsBefore[n]!, answered.filter((a) => a === i.name).length, `model calls of instance ${i.name}`);
});

test('a conversation continued with the same key reaches the instance that holds it: each turn answered with the history', async () => {
  const TURNS = 4;
  const served = await Promise.all(KEYS.map(async (key, k) => {
    const from = `127.0.0.${130 + k}`;
    const first = await chat(nginx, key, from, { text: 'My name is Tony.' });
    const holder = instanceOf(first);
    assert.equal(first.response, `Instance ${holder}, turn 1.`);
    for (let turn = 2; turn <= TURNS; turn++) {
      const r = await postChat(nginx, key, from, { text: `What is my name? (turn ${turn})`, conversation_id: first.conversation_id });
      // An instance that does not hold the conversation answers 404 "Conversation not found".
      assert.equal(r.status, 200, `key ${k}, turn ${turn}: ${r.status} ${r.body.toString().slice(0, 300)}`);
      const next = JSON.parse(r.body.toString()) as ChatAnswer;
      assert.equal(next.conversation_id, first.conversation_id);
      assert.equal(next.response, `Instance ${holder}, turn ${turn}.`, `key ${k}: the holder answered, and was sent the ${turn - 1} earlier turn(s)`);
    }
    return holder;
  }));
  assert.deepEqual([...new Set(served)].sort(), ['a', 'b'], 'conversations are held on both instances');
});

test("when a key's instance cannot be reached, its chat and its stream URL both go on to the same other instance", async () => {
  // Instance a and an address where nothing listens. One key after another: nginx marks the dead
  // server down after its third failure (max_fails=3), so the first key that hashes to it shows
  // the way its requests fail over; that key is where this check can stop.
  const dead = `127.0.0.1:${await freePort()}`;
  const refusedGet = new RegExp(`connect\\(\\) failed .*request: "GET /audio/stream/[^ ]+ HTTP/1\\.1", upstream: "http://${dead.replaceAll('.', '\\.')}/`);
  const edge = await startNginx([new URL(instances[0]!.api.url).host, dead]);
  try {
    for (const [k, key] of KEYS.entries()) {
      const from = `127.0.0.${160 + k}`;
      const answer = await chat(edge, key, from, { text: 'Are you still there?', stream_audio: true });
      assert.equal(instanceOf(answer), 'a');
      await fetchSpeech(edge, key, from, answer.stream_url!, `key ${k}`);
      if (refusedGet.test(edge.errorLog())) break;
    }
    // A stream URL's GET was sent to the dead server first, and was still answered (above).
    assert.match(edge.errorLog(), refusedGet);
  } finally {
    await edge.stop();
  }
});

const hostsUnavailable = privateHostsUnavailable();

test('the Docker upstream keeps each key on one replica of a name with several addresses, where `hash … consistent` would not', { skip: hostsUnavailable }, async () => {
  // Docker's DNS answers `jarvis-api` with one address per replica. Here a private /etc/hosts
  // does: nginx 1.22 has no `resolve` (1.27.3 and later), so it resolves the name once at start,
  // into the same list of servers that share one configured name.
  const port = await freePort();
  const hosts = '127.0.0.1 localhost\n127.0.0.41 jarvis-api.test\n127.0.0.42 jarvis-api.test\n';
  const template = readFileSync(path.join(root, 'deployment/nginx/docker/upstream.conf.template'), 'utf8');
  const conf = template
    .replace(/^resolver .*$/m, '')
    .replaceAll(' resolve ', ' ')
    .replaceAll('jarvis-api:8000', `jarvis-api.test:${port}`);
  assert.match(conf, /upstream jarvis_api_by_credential \{[^}]*\n\s*hash \$http_authorization;/);
  const replicas: Upstream[] = [];

  /** The replicas that answered each of eight keys, four /chat requests each. */
  const spread = async (upstreamConf: string, fromBase: number): Promise<string[][]> => {
    const edge = await startNginx([], { upstreamConf, hosts });
    try {
      const seen: string[][] = [];
      for (let k = 0; k < 8; k++) {
        const names = new Set<string>();
        for (let i = 0; i < 4; i++) {
          const r = await ask(edge, { method: 'POST', path: '/chat', from: `127.0.0.${fromBase + k}`, headers: { Authorization: `Bearer replica-key-${k}` }, body: '{}' });
          assert.equal(r.status, 200);
          names.add(String(r.headers['x-upstream']));
        }
        seen.push([...names].sort());
      }
      return seen;
    } finally {
      await edge.stop();
    }
  };
  try {
    replicas.push(await startUpstream('a', { host: '127.0.0.41', port }), await startUpstream('b', { host: '127.0.0.42', port }));
    const shipped = await spread(conf, 190);
    assert.ok(shipped.every((names) => names.length === 1), `each key on one replica: ${JSON.stringify(shipped)}`);
    assert.deepEqual([...new Set(shipped.flat())].sort(), ['a', 'b'], 'and the keys on both');
    // Why the template does not say `consistent`: the ring is built from server names, and the
    // replicas share theirs, so nginx picks among them round-robin, for every key.
    const consistent = await spread(conf.replace('hash $http_authorization;', 'hash $http_authorization consistent;'), 200);
    assert.ok(consistent.every((names) => names.length === 2), `consistent: every key on both replicas: ${JSON.stringify(consistent)}`);
  } finally {
    for (const r of replicas) await r.close();
  }
});
