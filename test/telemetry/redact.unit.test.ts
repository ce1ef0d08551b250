import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSensitiveKey, redactUrl, isIgnoredPath } from '../../src/telemetry/redact.ts';
import { tracesExportRequested } from '../../src/telemetry/otel.ts';

test('URLs lose credentials: sensitive query values and user:password, nothing else', () => {
  const cases: Array<[string, string]> = [
    ['http://h/chat?token=abc&x=1', 'http://h/chat?token=[REDACTED]&x=1'],
    ['https://u:p@api.example/v1?api_key=k', 'https://[REDACTED]@api.example/v1?api_key=[REDACTED]'],
    ['?access_token=t', '?access_token=[REDACTED]'],
    ['/a?Signature=s&ok=2#f', '/a?Signature=[REDACTED]&ok=2#f'],
    ['/a?ok=1&page=2', '/a?ok=1&page=2'],
    ['http://h/path@x?q=1', 'http://h/path@x?q=1'],
  ];
  for (const [input, want] of cases) assert.equal(redactUrl(input), want, input);
});

test('attribute and field names that hold credentials or prompts are recognised', () => {
  for (const k of ['http.request.header.authorization', 'cookie', 'x-api-key', 'jwtSecret', 'access_token', 'gen_ai.prompt', 'password']) assert.ok(isSensitiveKey(k), k);
  for (const k of ['http.route', 'jarvis.request_id', 'jarvis.auth.method', 'jarvis.chat.prompt_chars', 'jarvis.principal', 'jarvis.session_id']) assert.ok(!isSensitiveKey(k), k);
});

test('scrapes and liveness probes are not traced', () => {
  assert.ok(isIgnoredPath('/metrics'));
  assert.ok(isIgnoredPath('/health?x'));
  assert.ok(!isIgnoredPath('/ready'));
  assert.ok(!isIgnoredPath('/chat'));
});

test('trace export is off unless OTEL_* asks for it', () => {
  const cases: Array<[Record<string, string>, boolean]> = [
    [{}, false],
    [{ OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }, false],
  ];
  for (const [env, want] of cases) assert.equal(tracesExportRequested(env), want, JSON.stringify(env));
});
