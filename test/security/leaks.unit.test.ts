/** The leak patterns catch what they name and leave a clean problem alone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findEchoedSecrets, findLeaks } from './leaks.ts';

const leaky: [string, RegExp][] = [
  ['{"detail":"TypeError: x is undefined\\n    at handler (/work/main/src/http/routes/chat.ts:12:5)"}', /stack trace/],
  ['Error at Object.<anonymous> (file:///app/dist/main.js:1:2)', /file URL|stack trace/],
  ['{"detail":"Cannot find module /srv/app/node_modules/zod/index.js"}', /node_modules/],
  ['{"title":"ZodError"}', /Zod/],
  ['{"detail":"JWSSignatureVerificationFailed: signature verification failed"}', /jose/],
  ['{"detail":"SQLITE_BUSY: database is locked"}', /SQLite/],
  ['{"detail":"KafkaJSConnectionError"}', /KafkaJS/],
  ['{"detail":"Unexpected token \'o\', \\"{\\"text\\": oops}\\" is not valid JSON"}', /JSON\.parse/],
  ['{"detail":"Expected \',\' or \'}\' after property value in JSON at position 15"}', /JSON\.parse/],
  ['{"detail":"connect ECONNREFUSED 127.0.0.1:9092"}', /error code/],
  ['{"detail":"Powered by koa"}', /Koa/],
];

test('each kind of leak is found and named', () => {
  for (const [text, kind] of leaky) {
    const found = findLeaks(text);
    assert.ok(found.some((f) => kind.test(f)), `${text} → ${JSON.stringify(found)}`);
  }
});

test('a clean problem, including the project\'s own wording and ERR_ codes, has no leak', () => {
  for (const clean of [
    '{"type":"/problems/malformed-json","title":"Bad request","status":400,"detail":"The body is not valid JSON.","request_id":"abc"}',
    '{"type":"/problems/ERR_AUTH_TOKEN_EXPIRED","title":"Unauthorized","status":401,"request_id":"r-1"}',
    '{"status":"ok"}',
  ]) assert.deepEqual(findLeaks(clean), [], clean);
});

test('an echoed secret is found in the body or any header, without printing it', () => {
  const secret = 'sk-very-secret-123';
  assert.deepEqual(findEchoedSecrets('{"a":1}', { 'x-debug': `token=${secret}` }, [secret]), ['secret #1 (18 characters) was echoed']);
  assert.deepEqual(findEchoedSecrets(`{"got":"${secret}"}`, {}, ['short', secret]), ['secret #2 (18 characters) was echoed']);
  assert.deepEqual(findEchoedSecrets('{}', {}, [secret]), []);
});
