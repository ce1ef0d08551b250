/** Flags and environment → options: the URL, groups, keys, and refusals of bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GROUPS, OptionsError, parseOptions } from './options.ts';

test('--url and the keys from the environment are picked up; every group runs by default', () => {
  const o = parseOptions(['--url', 'http://127.0.0.1:8000'], { JARVIS_ADMIN_KEY: 'a'.repeat(20), JARVIS_TEST_KEY_READ: 'r'.repeat(20) });
  assert.equal(o.url.origin, 'http://127.0.0.1:8000');
  assert.equal(o.keys.admin, 'a'.repeat(20));
  assert.equal(o.keys.chat, undefined);
  assert.deepEqual(o.groups, [...GROUPS]);
  assert.equal(o.groups.at(-1), 'rate-limit');
});

test('JARVIS_SECURITY_URL stands in for --url; the flag wins when both are given', () => {
  assert.equal(parseOptions([], { JARVIS_SECURITY_URL: 'https://api.example.test' }).url.origin, 'https://api.example.test');
  assert.equal(parseOptions(['--url', 'http://localhost:9'], { JARVIS_SECURITY_URL: 'https://x.test' }).url.origin, 'http://localhost:9');
});

test('--only and --skip select groups (comma lists or repeated), keeping the run order', () => {
  assert.deepEqual(parseOptions(['--url', 'http://h', '--only', 'rate-limit,health'], {}).groups, ['health', 'rate-limit']);
  assert.deepEqual(parseOptions(['--url', 'http://h', '--skip', 'rate-limit', '--skip', 'slow'], {}).groups, GROUPS.filter((g) => g !== 'rate-limit' && g !== 'slow'));
});

test('bad input is refused with an OptionsError naming the problem', () => {
  const bad: [string[], Record<string, string>, RegExp][] = [
    [[], {}, /no target/],
    [['--url', 'ftp://h'], {}, /only http and https/],
    [['--url', 'http://h/api'], {}, /origin only/],
    [['--url', 'not a url'], {}, /not a URL/],
    [['--url', 'http://h', '--only', 'nope'], {}, /unknown group "nope"/],
    [['--url', 'http://h', '--max-requests', '0'], {}, /--max-requests/],
    [['--url', 'http://h'], { JARVIS_TEST_MAX_BODY_BYTES: '10mb' }, /JARVIS_TEST_MAX_BODY_BYTES/],
  ];
  for (const [argv, env, message] of bad) assert.throws(() => parseOptions(argv, env), (e: unknown) => e instanceof OptionsError && message.test(e.message));
});

test('flags from the environment: only 1/true/yes/on count as set', () => {
  assert.equal(parseOptions(['--url', 'http://h'], { JARVIS_TEST_UNTRUSTED_HOST_EXPECTED: '1' }).untrustedHostExpected, true);
  assert.equal(parseOptions(['--url', 'http://h'], { JARVIS_TEST_UNTRUSTED_HOST_EXPECTED: '0' }).untrustedHostExpected, false);
  assert.equal(parseOptions(['--url', 'http://h'], {}).trustedProxy, false);
});
