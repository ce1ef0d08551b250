/**
 * Writes openapi.json from the route specs (`npm run openapi:generate`). The routes are built
 * with inert dependencies: only their declarations are read, no handler runs.
 * `--check` exits 1 when the committed file differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../src/config/config.ts';
import { auditRoutes } from '../src/audit/routes.ts';
import { apiRoutes, openApiDocument, type AllRouteDeps } from '../src/http/routes/index.ts';

const root = new URL('../', import.meta.url);
const version = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }).version;

/** The OpenAPI document as committed, for this package version. */
export function renderOpenApi(): string {
  const inert = new Proxy({}, { get: () => () => { throw new Error('not available while generating'); } });
  const deps = { config: loadConfig({ JARVIS_DATA_DIR: '/nonexistent' }, version), clock: { now: () => 0 }, ids: inert, publisher: inert, jwt: inert, effects: inert, readiness: inert, status: inert, startedAt: 0, chat: inert, speech: { engine: 'embedded', voice: 'en-us', speak: () => Promise.reject(new Error('inert')) }, streams: inert } as unknown as AllRouteDeps;
  const audit = auditRoutes({ audit: inert, publisher: inert, clock: { now: () => 0 } } as unknown as Parameters<typeof auditRoutes>[0]);
  return JSON.stringify(openApiDocument(apiRoutes({ ...deps, extraRoutes: audit }), version), null, 2) + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = new URL('openapi.json', root);
  const text = renderOpenApi();
  if (process.argv.includes('--check')) {
    const same = readFileSync(file, 'utf8') === text;
    console.log(same ? 'openapi.json is current' : 'openapi.json differs from the routes: run npm run openapi:generate');
    process.exit(same ? 0 : 1);
  }
  writeFileSync(file, text);
  console.log('wrote openapi.json');
}
