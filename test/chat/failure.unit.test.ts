/** SDK errors become our own reasons; Retry-After hints are read in every form the APIs use. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APIConnectionError, APIConnectionTimeoutError, APIError, AnthropicError } from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { classify, parseRetryAfter } from '../../src/chat/failure.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const h = (o: Record<string, string>) => new Headers(o);

describe('classifying provider failures', () => {
  const CASES: [string, unknown, string, boolean?][] = [
    ['Anthropic 529', APIError.generate(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, undefined, h({})), 'overloaded'],
    ['Anthropic 429', APIError.generate(429, { type: 'error', error: { type: 'rate_limit_error', message: '' } }, undefined, h({ 'retry-after': '3' })), 'rate_limited'],
    ['Anthropic 429 carrying overloaded_error', APIError.generate(429, { type: 'error', error: { type: 'overloaded_error', message: '' } }, undefined, h({})), 'overloaded'],
    ['Anthropic 504 timeout_error', APIError.generate(504, { type: 'error', error: { type: 'timeout_error', message: '' } }, undefined, h({})), 'timeout'],
    ['Anthropic 500', APIError.generate(500, { type: 'error', error: { type: 'api_error', message: '' } }, undefined, h({})), 'server_error'],
    ['Anthropic 401', APIError.generate(401, { type: 'error', error: { type: 'authentication_error', message: '' } }, undefined, h({})), 'rejected'],
    ['Anthropic 400', APIError.generate(400, { type: 'error', error: { type: 'invalid_request_error', message: '' } }, undefined, h({})), 'bad_request'],
    ['Anthropic overloaded event in a stream', new APIError(undefined, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, undefined, undefined, 'overloaded_error'), 'overloaded'],
    ['OpenAI 503', OpenAI.APIError.generate(503, { error: { message: '', type: 'server_error' } }, undefined, h({})), 'overloaded'],
    ['OpenAI 502', OpenAI.APIError.generate(502, { error: { message: '' } }, undefined, h({})), 'server_error'],
    ['OpenAI error chunk in a stream', new OpenAI.APIError(undefined, { message: 'boom', type: 'server_error' }, undefined, h({})), 'server_error'],
    ['a connection timeout', new APIConnectionTimeoutError(), 'timeout'],
    ['OpenAI connection timeout', new OpenAI.APIConnectionTimeoutError(), 'timeout'],
    ['a refused connection', new APIConnectionError({ message: 'Connection error.' }), 'unreachable'],
    ['a body that broke off', new TypeError('terminated'), 'stream_cut'],
    ['invalid JSON', new SyntaxError('Unexpected end of JSON input'), 'malformed'],
    ['an SDK stream helper wrapping invalid JSON', Object.assign(new AnthropicError('x'), { cause: new SyntaxError('bad') }), 'malformed'],
    ['an SDK protocol complaint', new AnthropicError('Unexpected event order'), 'malformed'],
    ['a broken connection after the stream began', new APIConnectionError({ message: 'x' }), 'stream_cut', true],
  ];
  for (const [name, err, reason, afterResponse] of CASES) {
    it(`${name} → ${reason}`, () => assert.equal(classify(err, NOW, afterResponse ?? false).reason, reason));
  }

  it('keeps the upstream retry hint of a 429', () => {
    const f = classify(APIError.generate(429, {}, undefined, h({ 'retry-after': '3' })), NOW);
    assert.equal(f.retryAfterMs, 3000);
    assert.equal(f.upstreamStatus, 429);
  });

  it('reads retry-after-ms, seconds and HTTP dates, and caps them at an hour', () => {
    assert.equal(parseRetryAfter(h({ 'retry-after-ms': '1500' }), NOW), 1500);
    assert.equal(parseRetryAfter(h({ 'retry-after': '20' }), NOW), 20_000);
    assert.equal(parseRetryAfter(h({ 'retry-after': new Date(NOW + 9000).toUTCString() }), NOW), 9000);
    assert.equal(parseRetryAfter(h({ 'retry-after': '999999' }), NOW), 3_600_000);
    assert.equal(parseRetryAfter(h({ 'retry-after': 'soon' }), NOW), null);
    assert.equal(parseRetryAfter(h({}), NOW), null);
  });
});
