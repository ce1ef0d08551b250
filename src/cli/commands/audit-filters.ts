/** The audit filter options shared by query, export, tail and stats, and their query string. */
import type { Command } from './common.ts';

export const FILTER_OPTIONS = {
  type: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  ip: { type: 'string' },
  principal: { type: 'string' },
  'request-id': { type: 'string' },
  'trace-id': { type: 'string' },
  outcome: { type: 'string' },
  id: { type: 'string' },
  'caused-by': { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies Command['options'];

export const FILTER_HELP = `Filters:
  --type T          auth_failed, JRV-AUTH-001 or jarvis.security.auth_failed.v1 (comma-separated for several)
  --since WHEN      ISO 8601 (2026-05-01T10:00:00Z) or relative (15m, 1h, 7d)
  --until WHEN      same forms
  --ip ADDR|CIDR    an address or a range, IPv4 or IPv6 (203.0.113.0/24)
  --principal ID    key id (searched by its HMAC automatically when HMACs are on)
  --request-id ID   --trace-id HEX   --outcome denied|granted|blocked|detected|changed
  --id AUDIT-ID     the Audit-Id a response carried      --caused-by EVENT-ID
  --json            machine-readable output`;

/** The API query string of the parsed filter options. */
export function filterQuery(v: Record<string, string | boolean | undefined>): Record<string, string | undefined> {
  const s = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  return {
    type: s('type'), since: s('since'), until: s('until'), ip: s('ip'), principal: s('principal'),
    request_id: s('request-id'), trace_id: s('trace-id'), outcome: s('outcome'), id: s('id'), caused_by: s('caused-by'),
  };
}
