/** Every generated file and its expected content, for the generator and the drift tests. */
import path from 'node:path';
import { DASHBOARDS } from '../index.ts';
import { dashboardJson } from './build.ts';
import { renderObservabilityDoc } from './docs.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Path (relative to the repository root) → content. */
export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const d of DASHBOARDS) files.set(`dashboards/generated/${d.uid}.json`, dashboardJson(d));
  files.set('docs/observability.md', renderObservabilityDoc(DASHBOARDS, path.join(ROOT, 'alerts')));
  return files;
}
