/** The table of security event codes in docs/audit.md, generated from SECURITY_EVENT_KINDS (a test keeps them equal). */
import { SECURITY_EVENT_KINDS } from '../../events/index.ts';

export const CODES_BEGIN = '<!-- codes:begin (generated from events/security.ts SECURITY_EVENT_KINDS; test/audit/docs.unit.test.ts) -->';
export const CODES_END = '<!-- codes:end -->';

/** The markdown table: code, severity, CloudEvents type, meaning — in catalog order. */
export function codesTable(): string {
  const rows = Object.entries(SECURITY_EVENT_KINDS).map(([type, k]) => `| \`${k.code}\` | ${k.severity} | \`${type}\` | ${k.meaning} |`);
  return ['| Code | Severity | Type | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}
