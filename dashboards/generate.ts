/**
 * Writes dashboards/generated/*.json and docs/observability.md from the TypeScript sources.
 * `node --import tsx dashboards/generate.ts` writes; with `--check` it only reports drift
 * (exit 1), as the tests do.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatedFiles, ROOT } from './lib/outputs.ts';

const check = process.argv.includes('--check');
const files = generatedFiles();
let drift = 0;

for (const [rel, content] of files) {
  const abs = path.join(ROOT, rel);
  let current: string | undefined;
  try {
    current = readFileSync(abs, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === content) continue;
  drift++;
  if (check) {
    console.error(`out of date: ${rel}`);
  } else {
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
    console.log(`wrote ${rel}`);
  }
}

// A dashboard removed from the sources must not linger as a provisioned file.
const generatedDir = path.join(ROOT, 'dashboards/generated');
for (const name of readdirSync(generatedDir)) {
  const rel = `dashboards/generated/${name}`;
  if (files.has(rel)) continue;
  drift++;
  if (check) console.error(`stale: ${rel}`);
  else {
    rmSync(path.join(generatedDir, name));
    console.log(`removed ${rel}`);
  }
}

if (check && drift > 0) {
  console.error('run: node --import tsx dashboards/generate.ts');
  process.exit(1);
}
if (!check && drift === 0) console.log('up to date');
