/** Time bounds of audit queries: ISO 8601 instants, or relative ages such as `15m`, `1h`, `7d`. */

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `since`/`until` → epoch ms, relative values counted back from `nowMs`; null when unreadable. */
export function parseTimeBound(raw: string, nowMs: number): number | null {
  const s = raw.trim();
  const rel = /^(\d{1,9})(s|m|h|d|w)$/.exec(s);
  if (rel) return nowMs - Number(rel[1]) * UNITS[rel[2]!]!;
  // Only full ISO 8601 instants with a date: Date.parse alone accepts too much ("1", "May 5").
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) return null;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : null;
}

/** True when `raw` is a time bound parseTimeBound understands. */
export function isTimeBound(raw: string): boolean {
  return parseTimeBound(raw, 0) !== null;
}
