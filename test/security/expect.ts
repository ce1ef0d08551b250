/**
 * Assertions on responses, phrased as the contract phrases them. Each failure message names the
 * request and shows the start of the answer, so a report line is enough to reproduce it.
 */
import assert from 'node:assert/strict';
import type { Res } from './http.ts';

/** `GET /status → 401 {"type":…` — for failure messages. */
export function show(res: Res): string {
  return `${res.method} ${res.path} → ${res.status} ${res.text.slice(0, 240).replace(/\s+/g, ' ')}`;
}

export function expectStatus(res: Res, ...statuses: number[]): void {
  assert.ok(statuses.includes(res.status), `expected ${statuses.join(' or ')}: ${show(res)}`);
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly request_id: string;
  readonly errors?: readonly { path: unknown; message: unknown }[];
  readonly [k: string]: unknown;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Asserts the status and the contract's problem+json shape; returns the problem. */
export function expectProblem(res: Res, ...statuses: number[]): Problem {
  expectStatus(res, ...statuses);
  const ct = res.headers['content-type'] ?? '';
  assert.match(ct, /^application\/problem\+json\b/i, `Content-Type must be application/problem+json, got "${ct}": ${show(res)}`);
  const p = res.json as Problem | undefined;
  assert.ok(p && typeof p === 'object' && !Array.isArray(p), `body must be a JSON object: ${show(res)}`);
  assert.equal(typeof p.type, 'string', `problem.type must be a string: ${show(res)}`);
  assert.ok(typeof p.title === 'string' && p.title.length > 0, `problem.title must be a non-empty string: ${show(res)}`);
  assert.equal(p.status, res.status, `problem.status must equal the HTTP status: ${show(res)}`);
  if (p.detail !== undefined) assert.equal(typeof p.detail, 'string', `problem.detail must be a string when present: ${show(res)}`);
  const rid = res.headers['x-request-id'];
  assert.ok(rid && REQUEST_ID.test(rid), `X-Request-Id must be present and well-formed, got ${JSON.stringify(rid)}: ${show(res)}`);
  assert.equal(p.request_id, rid, `problem.request_id must equal the X-Request-Id header: ${show(res)}`);
  expectNoStore(res);
  return p;
}

export function expectNoStore(res: Res): void {
  const cc = res.headers['cache-control'] ?? '';
  assert.match(cc, /\bno-store\b/i, `Cache-Control must include no-store, got "${cc}": ${show(res)}`);
}

/** 401 with `WWW-Authenticate: Bearer …` and a problem body. */
export function expectUnauthorized(res: Res): Problem {
  const p = expectProblem(res, 401);
  const wa = res.headers['www-authenticate'] ?? '';
  assert.match(wa, /^Bearer\b/i, `401 must carry WWW-Authenticate: Bearer, got "${wa}": ${show(res)}`);
  return p;
}

/** 403 with a problem body. */
export function expectForbidden(res: Res): Problem {
  return expectProblem(res, 403);
}

/** A 400 whose `errors` names `field` (the path may be written `field`, `/field`, `$.field`, `body.field`…). */
export function expectFieldError(res: Res, field: string): Problem {
  const p = expectProblem(res, 400);
  assert.ok(Array.isArray(p.errors) && p.errors.length > 0, `400 must list errors: [{path, message}]: ${show(res)}`);
  for (const e of p.errors) {
    assert.ok(e && typeof e === 'object' && 'path' in e && 'message' in e, `each error must have path and message: ${show(res)}`);
    assert.equal(typeof e.message, 'string', `error.message must be a string: ${show(res)}`);
  }
  const named = p.errors.some((e) => {
    const path = Array.isArray(e.path) ? e.path.join('.') : String(e.path);
    // an unknown key may be reported at the object's path with the key in the message
    return path.split(/[./[\]$]+/).includes(field) || (typeof e.message === 'string' && e.message.includes(field));
  });
  assert.ok(named, `errors must name "${field}": ${show(res)}`);
  return p;
}

/** Same-origin relative path of a URL the API returned, or a failure if it points elsewhere. */
export function sameOriginPath(raw: unknown, origin: string): string {
  assert.equal(typeof raw, 'string', `expected a URL string, got ${JSON.stringify(raw)}`);
  const u = new URL(raw as string, origin);
  assert.equal(u.origin, origin, `the API returned a URL off the target (${u.origin}); the suite will not follow it`);
  return u.pathname + u.search;
}
