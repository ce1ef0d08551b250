import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CODES_BEGIN, CODES_END, codesTable } from '../../src/audit/codes-doc.ts';

test('docs/audit.md lists every security event code, severity and meaning exactly as the catalog does', () => {
  const doc = readFileSync(new URL('../../docs/audit.md', import.meta.url), 'utf8');
  const start = doc.indexOf(CODES_BEGIN);
  const end = doc.indexOf(CODES_END);
  assert.ok(start >= 0 && end > start, 'the generated block markers are missing');
  const committed = doc.slice(start + CODES_BEGIN.length, end).trim();
  assert.equal(committed, codesTable(), 'docs/audit.md is stale: replace the block with codesTable() from src/audit/codes-doc.ts');
});
