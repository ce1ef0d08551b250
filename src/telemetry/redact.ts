/**
 * What telemetry must never carry, in one place: the logger's redaction paths, the query
 * parameters the HTTP instrumentation blanks, and a last-line span processor that overwrites
 * any attribute whose key looks like a credential, in case a hook or library adds one.
 */
import type { Context } from '@opentelemetry/api';
import { REDACTED } from '../shared/secret.ts';
import type { SpanProcessor } from './otel.ts';

// One marker for a censored log field, span attribute and serialized Secret (shared sits below telemetry).
export { REDACTED };

/** Attribute or field names that hold credentials or content, whatever their nesting. */
const SENSITIVE_KEY = /(authorization|cookie|api[._-]?key|secret|password|passwd|token|jwt|credential|prompt|x-api-key)/i;

/** True for a span attribute / log field name that must not keep its value. */
export function isSensitiveKey(key: string): boolean {
  // `*.token_count`-style metrics-ish names are harmless; counts are numbers, not secrets.
  if (/(_count|_chars|_length|_seconds)$/.test(key)) return false;
  return SENSITIVE_KEY.test(key);
}

/** Query parameters blanked in HTTP span URLs (the instrumentation's defaults plus ours). */
export const SENSITIVE_QUERY_PARAMS = [
  'sig', 'Signature', 'AWSAccessKeyId', 'X-Goog-Signature', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token',
  'key', 'api_key', 'apikey', 'access_token', 'token', 'jwt', 'secret', 'password', 'auth',
] as const;

const SENSITIVE_PARAM_SET = new Set(SENSITIVE_QUERY_PARAMS.map((p) => p.toLowerCase()));
/** Attributes that hold a URL or its query (stable and older semantic conventions). */
const URL_ATTRIBUTES = new Set(['url.full', 'url.query', 'http.url', 'http.target']);

/**
 * Blanks credentials in a URL or query string: values of sensitive query parameters and
 * `user:password@`. Instrumentations differ in what they redact (undici: nothing), so this
 * runs on every span.
 */
export function redactUrl(value: string): string {
  let out = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, `$1${REDACTED}@`);
  out = out.replace(/([?&])([^=&#]+)=([^&#]*)/g, (whole, sep: string, name: string) =>
    SENSITIVE_PARAM_SET.has(decodeURIComponentSafe(name).toLowerCase()) ? `${sep}${name}=${REDACTED}` : whole,
  );
  return out;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Request headers captured as span attributes: correlation only. */
export const SAFE_REQUEST_HEADERS = ['x-request-id'] as const;

/** Paths not traced: scrapes and probes. */
export function isIgnoredPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0];
  return path === '/metrics' || path === '/health';
}

/**
 * Logger redaction paths (pino `redact`). pino wildcards match one level, so common nestings
 * are spelled out: top level, one object down, and request/response headers.
 */
export const LOG_REDACT_PATHS: readonly string[] = (() => {
  const fields = ['authorization', 'Authorization', 'cookie', 'Cookie', 'set-cookie', 'x-api-key', 'apiKey', 'api_key', 'key', 'secret', 'jwtSecret', 'password', 'token', 'access_token', 'refresh_token', 'jwt'];
  const quoted = (f: string): string => (/^[A-Za-z_$][\w$]*$/.test(f) ? f : `["${f}"]`);
  const join = (prefix: string, f: string): string => (quoted(f).startsWith('[') ? `${prefix}${quoted(f)}` : `${prefix}.${f}`);
  const paths = new Set<string>();
  for (const f of fields) {
    paths.add(quoted(f));
    paths.add(join('*', f));
    for (const h of ['headers', 'req.headers', 'res.headers', 'request.headers', 'response.headers']) paths.add(join(h, f));
  }
  return [...paths];
})();

/** Span processor that overwrites sensitive attributes before the span is exported. */
export class RedactingSpanProcessor implements SpanProcessor {
  onStart(_span: Parameters<SpanProcessor['onStart']>[0], _ctx: Context): void {}

  onEnding(span: Parameters<SpanProcessor['onStart']>[0]): void {
    try {
      for (const [key, value] of Object.entries(span.attributes)) {
        if (isSensitiveKey(key)) span.setAttribute(key, REDACTED);
        else if (URL_ATTRIBUTES.has(key) && typeof value === 'string') {
          // url.query may come without its leading '?'
          const fixed = key === 'url.query' && !value.startsWith('?') ? redactUrl(`?${value}`).slice(1) : redactUrl(value);
          if (fixed !== value) span.setAttribute(key, fixed);
        }
      }
    } catch {
      // Telemetry never breaks the request.
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
