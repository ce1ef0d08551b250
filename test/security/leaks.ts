/**
 * What must never appear in an answer outside development: stack traces, internal paths, the
 * names of the libraries inside, database or broker error codes, echoed secrets. Pure, so the
 * patterns themselves are unit-tested.
 */

interface Pattern {
  readonly what: string;
  readonly re: RegExp;
}

const PATTERNS: readonly Pattern[] = [
  { what: 'a stack trace frame', re: /\bat (?:async )?[\w$.<>[\] ]*\(?(?:file:\/\/|node:|\/|[A-Z]:\\)[^)\s]*:\d+:\d+\)?/ },
  { what: 'a stack trace', re: /(?:\n|\\n)\s+at \S+/ },
  { what: 'a node_modules path', re: /node_modules/i },
  { what: 'a file URL', re: /file:\/\// },
  { what: 'an absolute source path', re: /(?:^|[\s"'(])\/(?:home|usr|opt|srv|app|work|var|root|tmp)\/[\w./-]+/ },
  { what: 'a source file name', re: /\b[\w-]+\.(?:ts|mjs|cjs|js):\d+/ },
  { what: 'the name Koa', re: /\bkoa\b/i },
  { what: 'the name KafkaJS', re: /\bkafkajs/i },
  { what: 'the name Zod', re: /\bzod(?:error)?\b/i },
  { what: 'the name jose or its error classes', re: /\bjose\b|\bJW[ST](?:Invalid|Expired|ClaimValidationFailed|SignatureVerificationFailed)\b/ },
  { what: 'the name SQLite', re: /sqlite/i },
  { what: 'the name Express or undici', re: /\bexpress\b|\bundici\b/i },
  // V8's own wording (which also quotes the body); a project's "The body is not valid JSON." is fine
  { what: 'a raw JSON.parse message', re: /Unexpected (?:token|end of JSON|non-whitespace)|in JSON at position \d+|after (?:property value|array element) in JSON|", "?.*" is not valid JSON/ },
  // the project's own stable codes are ERR_* too, so only Node's own families are flagged
  { what: 'a Node.js error code', re: /\bERR_(?:INVALID_ARG|HTTP_|STREAM_|SOCKET_|UNHANDLED|ASSERTION|MODULE_|REQUIRE_|OUT_OF_RANGE|UNKNOWN_)|\bE(?:CONNREFUSED|CONNRESET|ADDRINUSE|ACCES|NOENT)\b/ },
  { what: 'a JavaScript error class', re: /\b(?:TypeError|ReferenceError|RangeError|SyntaxError)\b/ },
];

/** The leaks found in `text` (one line per kind), empty when clean. */
export function findLeaks(text: string): string[] {
  const found: string[] = [];
  for (const p of PATTERNS) {
    const m = p.re.exec(text);
    if (m) found.push(`${p.what}: ${JSON.stringify(m[0].slice(0, 80))}`);
  }
  return found;
}

/** The secrets (8+ characters) that occur in `text` or in any header value, named by position only. */
export function findEchoedSecrets(text: string, headers: Readonly<Record<string, string>>, secrets: readonly string[]): string[] {
  const found: string[] = [];
  const haystacks = [text, ...Object.values(headers)];
  secrets.forEach((s, i) => {
    if (s.length < 8) return;
    if (haystacks.some((h) => h.includes(s))) found.push(`secret #${i + 1} (${s.length} characters) was echoed`);
  });
  return found;
}
