/** openapi.json is generated from the same route specs and schemas that serve requests. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderOpenApi } from '../../scripts/generate-openapi.ts';

const committed = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');

describe('openapi.json', () => {
  it('matches the routes (run npm run openapi:generate after changing one)', () => {
    assert.equal(committed, renderOpenApi());
  });

  it('documents every endpoint of the contract', () => {
    const doc = JSON.parse(committed) as { paths: Record<string, Record<string, unknown>> };
    const expected: [string, string][] = [
      ['get', '/health'], ['get', '/ready'], ['get', '/status'], ['post', '/chat'], ['get', '/audio/stream/{request_id}'],
      ['post', '/audio/stream'], ['post', '/v1/audio/speech'], ['post', '/auth/token'], ['post', '/auth/logout'],
      ['get', '/admin/keys'], ['post', '/admin/keys'], ['delete', '/admin/keys/{id}'], ['get', '/admin/sessions'], ['delete', '/admin/sessions/{id}'],
      ['get', '/admin/ip-blocks'], ['post', '/admin/ip-blocks'], ['delete', '/admin/ip-blocks/{id}'], ['get', '/openapi.json'],
      ['get', '/admin/audit'], ['get', '/admin/audit/export'], ['get', '/admin/audit/live'],
    ];
    for (const [method, path] of expected) assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`);
  });

  it('refuses unknown fields in every request body schema', () => {
    const doc = JSON.parse(committed) as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { additionalProperties?: unknown } }> } }>> };
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const schema = op.requestBody?.content['application/json']?.schema;
        if (schema) assert.equal(schema.additionalProperties, false, `${method} ${path}`);
      }
    }
  });
});
