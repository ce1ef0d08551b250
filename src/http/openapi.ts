/**
 * The OpenAPI 3.1 document, built from the same route specs and zod schemas that validate
 * requests, so the document cannot disagree with the code.
 */
import { z } from 'zod';
import type { RouteSpec } from './state.ts';

const Problem = {
  type: 'object',
  required: ['type', 'title', 'status', 'request_id'],
  properties: {
    type: { type: 'string', description: 'A relative URI naming the problem, e.g. /problems/rate-limited' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    request_id: { type: 'string', description: 'Equals the X-Request-Id response header.' },
    errors: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
};

function schemaOf(s: z.ZodType): unknown {
  const json = z.toJSONSchema(s, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

const PERMISSION_TEXT: Record<string, string> = {
  public: 'No credential.',
  api_key: 'An API key (a JWT is refused with 403).',
  jwt: 'A JWT issued by /auth/token (an API key gets 400).',
};

export function buildOpenApi(specs: readonly RouteSpec[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const path = spec.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const params = [...spec.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (spec.query) {
      const q = schemaOf(spec.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema } as never);
    }
    const responses: Record<string, unknown> = {};
    for (const [code, r] of Object.entries(spec.responses)) {
      responses[code] = r.schema ? { description: r.description, content: { [r.contentType ?? 'application/json']: { schema: schemaOf(r.schema) } } } : { description: r.description, ...(r.contentType && { content: { [r.contentType]: {} } }) };
    }
    const problems: Record<string, string> = { default: 'A problem (RFC 9457).' };
    if (spec.access !== 'public') Object.assign(problems, { '401': 'Missing or unusable credential (with WWW-Authenticate: Bearer).', '403': 'The credential lacks the permission, or the client IP is not allowed.' });
    if (spec.tier) problems['429'] = 'Rate limited (Retry-After and RateLimit-* headers).';
    if (spec.body) Object.assign(problems, { '400': 'Validation failed; `errors` names each field.', '413': 'Body over JARVIS_MAX_BODY.', '415': 'Body is not application/json.' });
    for (const [code, description] of Object.entries(problems)) {
      if (!responses[code]) responses[code] = { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    }
    paths[path] ??= {};
    paths[path]![spec.method.toLowerCase()] = {
      summary: spec.summary,
      description: spec.access in PERMISSION_TEXT ? PERMISSION_TEXT[spec.access] : `Needs the \`${spec.access}\` permission.`,
      ...(spec.access !== 'public' && { security: [{ bearer: [] }] }),
      ...(params.length > 0 && { parameters: params }),
      ...(spec.body && { requestBody: { required: false, content: { 'application/json': { schema: schemaOf(spec.body) } } } }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Jarvis API',
      version,
      description: 'Chat with an AI assistant and hear the answer, streamed as speech. Every response carries X-Request-Id; errors are application/problem+json (RFC 9457).',
      license: { name: 'GPL-3.0-or-later', identifier: 'GPL-3.0-or-later' },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key, or a JWT from POST /auth/token.' } },
      schemas: { Problem },
    },
    paths,
  };
}
