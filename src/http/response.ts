/**
 * The response class the server hands to the app. Every response carries about twenty headers
 * (security, request id, cache, rate limits). Node keeps headers set with `setHeader` in an
 * object keyed by the lower-cased name, and builds the head from it; here they wait in a Map
 * and reach `writeHead` as one flat list, which Node writes in a single pass. On the bench
 * server that is about 5% more requests a second (see README, "Performance").
 *
 * The behaviour is Node's, method for method (test/http/response.int.test.ts compares the bytes
 * and the results with Node's own class): the same validation and errors, headers passed to
 * `writeHead` applied as Node applies them, and arrays returned by reference as Node does.
 * Super's own header store stays empty, so Node takes its `writeHead(status, list)` path.
 */
import { type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse, STATUS_CODES, validateHeaderName, validateHeaderValue } from 'node:http';

type HeaderValue = number | string | string[];

/** Header names whose removal changes how Node frames the response: Node must hear about it. */
const FRAMING = new Set(['connection', 'content-length', 'transfer-encoding', 'date']);

export class ListedHeadersResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  /** Lower-cased name → [name as given, value], in the order first set. */
  private readonly listed = new Map<string, [string, HeaderValue]>();
  /** Whether any header was set (Node's store is then no longer empty, and `writeHead` merges). */
  private touched = false;

  override setHeader(name: string, value: number | string | readonly string[]): this {
    if (this.headersSent) return super.setHeader(name, value); // throws ERR_HTTP_HEADERS_SENT
    validateHeaderName(name);
    validateHeaderValue(name, value as string); // Node's own check takes numbers and arrays too
    this.listed.set(name.toLowerCase(), [name, value as HeaderValue]);
    this.touched = true;
    return this;
  }

  override appendHeader(name: string, value: string | readonly string[]): this {
    if (this.headersSent) return super.appendHeader(name, value);
    validateHeaderName(name);
    validateHeaderValue(name, value as string);
    const entry = this.listed.get(name.toLowerCase());
    if (!entry) return this.setHeader(name, value);
    if (!Array.isArray(entry[1])) entry[1] = [entry[1] as string];
    (entry[1] as unknown[]).push(...(Array.isArray(value) ? value : [value]));
    return this;
  }

  override getHeader(name: string): HeaderValue | undefined {
    if (typeof name !== 'string') return super.getHeader(name); // throws ERR_INVALID_ARG_TYPE
    return this.listed.get(name.toLowerCase())?.[1];
  }

  override hasHeader(name: string): boolean {
    if (typeof name !== 'string') return super.hasHeader(name);
    return this.listed.has(name.toLowerCase());
  }

  override getHeaderNames(): string[] {
    return [...this.listed.keys()];
  }

  /** Node 15.13+ has it; this version of @types/node does not declare it. */
  getRawHeaderNames(): string[] {
    return [...this.listed.values()].map(([name]) => name);
  }

  override getHeaders(): OutgoingHttpHeaders {
    const out = Object.create(null) as OutgoingHttpHeaders;
    for (const [key, [, value]] of this.listed) out[key] = value;
    return out;
  }

  override removeHeader(name: string): void {
    // Node validates the name, throws once the head is sent, and notes framing headers removed.
    if (typeof name !== 'string' || this.headersSent || FRAMING.has(name.toLowerCase())) super.removeHeader(name);
    this.listed.delete(name.toLowerCase());
  }

  override writeHead(statusCode: number, reason?: string | OutgoingHttpHeaders | OutgoingHttpHeader[], headers?: OutgoingHttpHeaders | OutgoingHttpHeader[]): this {
    const given = typeof reason === 'string' ? headers : (headers ?? reason);
    // Nothing set before: Node writes the given headers as they are.
    if (!this.touched || this.headersSent) return typeof reason === 'string' ? super.writeHead(statusCode, reason, given) : super.writeHead(statusCode, given);
    // Headers set before: Node takes the status, applies the given headers with setHeader in
    // order (a bad one throws with the status already taken), then writes its store.
    const code = statusCode | 0;
    if (code < 100 || code > 999) return super.writeHead(statusCode); // throws ERR_HTTP_INVALID_STATUS_CODE
    if (typeof reason === 'string') this.statusMessage = reason;
    else if (!this.statusMessage) this.statusMessage = STATUS_CODES[code] ?? 'unknown';
    this.statusCode = code;
    if (Array.isArray(given)) {
      if (given.length % 2 !== 0) return super.writeHead(statusCode, reason as string, given); // throws ERR_INVALID_ARG_VALUE
      for (let i = 0; i < given.length; i += 2) if (given[i]) this.setHeader(given[i] as string, given[i + 1] as string);
    } else if (given) {
      for (const k of Object.keys(given)) if (k) this.setHeader(k, given[k] as string);
    }
    const flat: (string | number | string[])[] = [];
    for (const [name, value] of this.listed.values()) flat.push(name, value);
    const list = flat as OutgoingHttpHeader[];
    return typeof reason === 'string' ? super.writeHead(statusCode, reason, list) : super.writeHead(statusCode, list);
  }
}
