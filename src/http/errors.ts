/** The client-visible errors of the HTTP layer, each with a stable code. */
import { AppError, type FieldError } from '../shared/errors.ts';

export const httpErrors = {
  untrustedHost: () => new AppError('ERR_UNTRUSTED_HOST', { status: 421, title: 'Misdirected request', detail: 'This server does not answer for that host name.' }),
  ipNotAllowed: () => new AppError('ERR_IP_NOT_ALLOWED', { status: 403, title: 'Forbidden', detail: 'Requests from this address are not allowed.' }),
  ipBlocked: () => new AppError('ERR_IP_BLOCKED', { status: 403, title: 'Forbidden', detail: 'Requests from this address are blocked.' }),
  rateLimited: (retryAfter: number, headers: Record<string, string>) =>
    new AppError('ERR_RATE_LIMITED', { status: 429, title: 'Too many requests', detail: `Rate limit exceeded; retry in ${retryAfter} s.`, headers: { ...headers, 'Retry-After': String(retryAfter) } }),
  unauthenticated: (detail = 'A valid credential is required.') =>
    new AppError('ERR_AUTH_REQUIRED', { status: 401, title: 'Unauthorized', detail, headers: { 'WWW-Authenticate': 'Bearer realm="jarvis"' } }),
  invalidCredential: (detail: string, error: 'invalid_token' | 'invalid_request' = 'invalid_token') =>
    new AppError('ERR_AUTH_INVALID', { status: 401, title: 'Unauthorized', detail, headers: { 'WWW-Authenticate': `Bearer realm="jarvis", error="${error}"` } }),
  forbidden: (detail: string) => new AppError('ERR_FORBIDDEN', { status: 403, title: 'Forbidden', detail }),
  notFound: (detail = 'No such resource.') => new AppError('ERR_NOT_FOUND', { status: 404, title: 'Not found', detail }),
  methodNotAllowed: (allow: readonly string[]) =>
    new AppError('ERR_METHOD_NOT_ALLOWED', { status: 405, title: 'Method not allowed', detail: `Allowed: ${allow.join(', ')}.`, headers: { Allow: allow.join(', ') } }),
  unsupportedMediaType: (expected: string) =>
    new AppError('ERR_UNSUPPORTED_MEDIA_TYPE', { status: 415, title: 'Unsupported media type', detail: `Send the body as ${expected}.` }),
  payloadTooLarge: (limit: number) =>
    new AppError('ERR_PAYLOAD_TOO_LARGE', { status: 413, title: 'Payload too large', detail: `The body may not exceed ${limit} bytes.` }),
  malformedJson: () => new AppError('ERR_MALFORMED_JSON', { status: 400, title: 'Bad request', detail: 'The body is not valid JSON.' }),
  validation: (errors: readonly FieldError[]) =>
    new AppError('ERR_VALIDATION', { status: 400, title: 'Bad request', detail: 'The request failed validation.', errors }),
  badRequest: (detail: string) => new AppError('ERR_BAD_REQUEST', { status: 400, title: 'Bad request', detail }),
  conflict: (detail: string) => new AppError('ERR_CONFLICT', { status: 409, title: 'Conflict', detail }),
  tooManyStreams: () => new AppError('ERR_TOO_MANY_STREAMS', { status: 429, title: 'Too many streams', detail: 'This principal already has the maximum number of open audio streams.', headers: { 'Retry-After': '5' } }),
};

/** Problem `type` URIs are relative references resolved against the API (documented in openapi.json). */
export function problemType(code: string): string {
  return `/problems/${code.replace(/^ERR_/, '').toLowerCase().replace(/_/g, '-')}`;
}
