/** The chat section of the configuration: which providers, in which order, and clear errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChatConfig } from '../../src/config/chat.ts';
import { ConfigError } from '../../src/config/parse.ts';

describe('chat configuration', () => {
  it('offers no provider when nothing is set', () => {
    const c = parseChatConfig({});
    assert.deepEqual(c.order, []);
    assert.equal(c.local, null);
  });

  it('offers a provider for each variable set, local first by default', () => {
    const c = parseChatConfig({ ANTHROPIC_API_KEY: 'a', DEEPSEEK_API_KEY: 'd', JARVIS_LOCAL_LLM_URL: 'http://localhost:11434/v1/' });
    assert.deepEqual(c.order, ['local', 'anthropic', 'deepseek']);
    assert.equal(c.local!.baseUrl, 'http://localhost:11434/v1');
    assert.equal(c.local!.model, 'llama3.2');
    assert.equal(c.deepseek!.baseUrl, 'https://api.deepseek.com');
    assert.equal(c.anthropic!.baseUrl, undefined);
  });

  it('reads a bare local server address as its /v1 API, as Ollama, llama.cpp and vLLM serve it', () => {
    assert.equal(parseChatConfig({ JARVIS_LOCAL_LLM_URL: 'http://localhost:11434' }).local!.baseUrl, 'http://localhost:11434/v1');
    assert.equal(parseChatConfig({ JARVIS_LOCAL_LLM_URL: 'http://gpu-box:8000/openai/v1' }).local!.baseUrl, 'http://gpu-box:8000/openai/v1');
  });

  it('follows JARVIS_CHAT_PROVIDERS, skipping providers that are not configured', () => {
    const c = parseChatConfig({ ANTHROPIC_API_KEY: 'a', JARVIS_LOCAL_LLM_URL: 'http://127.0.0.1:8080/v1', JARVIS_CHAT_PROVIDERS: 'deepseek, anthropic,local' });
    assert.deepEqual(c.order, ['anthropic', 'local']);
  });

  const BAD: [string, Record<string, string>, string][] = [
    ['an unknown provider name', { JARVIS_CHAT_PROVIDERS: 'local,openai' }, 'JARVIS_CHAT_PROVIDERS'],
    ['a local URL that is not a URL', { JARVIS_LOCAL_LLM_URL: 'localhost:11434' }, 'JARVIS_LOCAL_LLM_URL'],
    ['a base URL with another scheme', { ANTHROPIC_API_KEY: 'a', ANTHROPIC_BASE_URL: 'ftp://x' }, 'ANTHROPIC_BASE_URL'],
    ['a timeout that is not a duration', { JARVIS_CHAT_TIMEOUT: 'soon' }, 'JARVIS_CHAT_TIMEOUT'],
    ['a total timeout below the attempt timeout', { JARVIS_CHAT_TIMEOUT: '30s', JARVIS_CHAT_TOTAL_TIMEOUT: '10s' }, 'JARVIS_CHAT_TOTAL_TIMEOUT'],
    ['a history bound out of range', { JARVIS_CHAT_HISTORY_TURNS: '1000' }, 'JARVIS_CHAT_HISTORY_TURNS'],
  ];
  for (const [name, env, variable] of BAD) {
    it(`stops the start on ${name}, naming ${variable}`, () => {
      assert.throws(() => parseChatConfig(env), (err: unknown) => err instanceof ConfigError && err.variable === variable);
    });
  }
});
