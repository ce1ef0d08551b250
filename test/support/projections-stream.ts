/**
 * A deterministic stream of realistic events for runner, rebuild and benchmark runs: mostly
 * finished requests and auth decisions from a pool of IPs and keys, sessions that start, are
 * refreshed and end, chat and TTS turns, refused input, rate-limit verdicts, admin changes —
 * and now and then an IP that hammers with bad keys (brute force).
 */
import { createHash } from 'node:crypto';
import {
  ApiKeyCreated, ApiKeyRevoked, ApiKeyRotated, AuthDecisionRecorded, ChatCompleted, InputRejected, IpBlockAdded, IpBlockRemoved,
  RateLimitExceeded, RequestCompleted, SessionExpired, SessionRefreshed, SessionRevoked, SessionStarted, TtsJobCompleted,
  type DataOf, type Envelope, type EventDefinition,
} from '../../events/index.ts';
import type { z } from 'zod';

/** Small, fast, seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface StreamOptions {
  readonly seed?: number;
  readonly startMs?: number;
  /** Mean gap between events. */
  readonly stepMs?: number;
  readonly ips?: number;
  readonly keys?: number;
  readonly instances?: readonly string[];
}

const ROUTES = [['/chat', 'api'], ['/status', 'api'], ['/audio/stream', 'stream'], ['/v1/audio/speech', 'stream'], ['/auth/token', 'api']] as const;

/** `n` events, the same for the same options. */
export function* realisticEvents(n: number, opts: StreamOptions = {}): Generator<Envelope> {
  const r = rng(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const instances = opts.instances ?? ['api-1', 'api-2'];
  let t = opts.startMs ?? Date.parse('2026-03-01T00:00:00.000Z');
  let seq = 0;
  const ips = Array.from({ length: opts.ips ?? 2000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  const keys = Array.from({ length: opts.keys ?? 50 }, (_, i) => `key-${i}`);
  const sessions: { id: string; principal: string }[] = [];
  let attacker: { ip: string; left: number } | null = null;

  const mk = <T extends string, S extends z.ZodType>(def: EventDefinition<T, S>, data: DataOf<EventDefinition<T, S>>, instance = pick(instances)): Envelope => {
    seq++;
    const trace = createHash('md5').update(String(seq)).digest('hex');
    return {
      specversion: '1.0', id: `ev-${opts.seed ?? 42}-${seq}`, source: `/jarvis-api/${instance}`, type: def.type, time: new Date(t).toISOString(),
      datacontenttype: 'application/json', traceparent: `00-${trace}-${trace.slice(0, 16)}-01`, data,
    };
  };
  const iso = (ms: number) => new Date(ms).toISOString();

  for (const k of keys) {
    if (seq >= n) return;
    const expires = r() < 0.2 ? iso(t + Math.floor(r() * 30) * 86_400_000) : null;
    yield mk(ApiKeyCreated, { key_id: k, name: `client ${k}`, permissions: ['read', 'chat', 'stream'], secret_sha256: createHash('sha256').update(k).digest('hex'), created_at: iso(t), expires_at: expires, created_by: 'admin', rotated_from: null });
  }
  while (seq < n) {
    t += Math.floor(r() * 2 * (opts.stepMs ?? 2)) + 1;
    const instance = pick(instances);
    if (attacker) {
      const reqId = `atk-${seq}`;
      yield mk(AuthDecisionRecorded, { stage: 'authentication', outcome: 'denied', reason: 'unknown_key', method: 'api_key', principal: null, session_id: null, permission: null, ip: attacker.ip, route: '/chat', request_id: reqId }, instance);
      if (--attacker.left === 0) attacker = null;
      continue;
    }
    const ip = pick(ips);
    const principal = pick(keys);
    const x = r();
    const requestId = `req-${seq}`;
    if (x < 0.55) {
      const [route, tier] = pick(ROUTES);
      const status = r() < 0.95 ? 200 : pick([400, 401, 403, 429, 500]);
      yield mk(RequestCompleted, { method: 'POST', route, status, duration_ms: Math.round(r() * 800), bytes_in: 120, bytes_out: 2400, ip, principal: status === 401 ? null : principal, tier, error_code: status === 200 ? null : 'ERR_X', request_id: requestId, instance }, instance);
    } else if (x < 0.75) {
      const y = r();
      const denied = y > 0.9;
      yield mk(AuthDecisionRecorded, {
        stage: y > 0.97 ? 'authorization' : 'authentication', outcome: denied ? 'denied' : 'granted', reason: denied ? (y > 0.97 ? 'permission_denied' : 'unknown_key') : 'ok',
        method: r() < 0.7 ? 'api_key' : 'jwt', principal: denied && y <= 0.97 ? null : principal, session_id: null, permission: 'chat', ip, route: '/chat', request_id: requestId,
      }, instance);
    } else if (x < 0.83) {
      yield mk(ChatCompleted, { request_id: requestId, conversation_id: `c-${Math.floor(r() * 5000)}`, principal, provider: 'anthropic', model: 'claude', latency_ms: 900, time_to_first_token_ms: 300, input_tokens: 50, output_tokens: 200, fallbacks: [], streamed: false }, instance);
    } else if (x < 0.88) {
      yield mk(TtsJobCompleted, { job_id: `job-${seq}`, request_id: requestId, principal, engine: 'espeak-ng', voice: 'en-us', characters: 200, audio_seconds: 12, synthesis_seconds: 0.8, time_to_first_byte_ms: 120, bytes: 384_000 }, instance);
    } else if (x < 0.95) {
      const y = r();
      if (y < 0.3 || sessions.length === 0) {
        const id = `sess-${seq}`;
        sessions.push({ id, principal });
        yield mk(SessionStarted, { session_id: id, principal, scope: ['read', 'chat'], jti: `jti-${seq}`, ip, started_at: iso(t), idle_timeout_seconds: 1800, absolute_expires_at: iso(t + 86_400_000) }, instance);
      } else if (y < 0.9) {
        yield mk(SessionRefreshed, { session_id: pick(sessions).id, at: iso(t) }, instance);
      } else {
        const i = Math.floor(r() * sessions.length);
        const s = sessions.splice(i, 1)[0]!;
        yield y < 0.95
          ? mk(SessionRevoked, { session_id: s.id, principal: s.principal, by: null, reason: 'logout' }, instance)
          : mk(SessionExpired, { session_id: s.id, principal: s.principal, timeout: 'idle' }, instance);
      }
    } else if (x < 0.97) {
      yield mk(InputRejected, { reason: pick(['body_too_large', 'validation_failed', 'ip_blocked', 'untrusted_host'] as const), ip, principal: null, route: '/chat', status: 400, request_id: requestId, detail: null }, instance);
    } else if (x < 0.99) {
      yield mk(RateLimitExceeded, { tier: 'api', scope: 'ip', ip, principal: null, limit: 60, window_seconds: 60, retry_after_seconds: 5, request_id: requestId }, instance);
    } else if (x < 0.9995) {
      const y = r();
      if (y < 0.3) attacker = { ip: `192.0.2.${Math.floor(r() * 250)}`, left: 30 };
      else if (y < 0.6) yield mk(IpBlockAdded, { block_id: `blk-${seq}`, cidr: `198.51.100.${Math.floor(r() * 250)}`, expires_at: iso(t + 900_000), reason: 'abuse', source: 'admin', created_by: 'admin', created_at: iso(t) }, instance);
      else if (y < 0.7) yield mk(IpBlockRemoved, { block_id: `blk-${seq - 1}`, removed_by: 'admin' }, instance);
      else if (y < 0.85) yield mk(ApiKeyRevoked, { key_id: pick(keys), revoked_by: 'admin', reason: 'rotation policy' }, instance);
      else yield mk(ApiKeyRotated, { key_id: pick(keys), successor_id: `key-${seq}`, overlap_until: iso(t + 3_600_000), rotated_by: 'admin' }, instance);
    } else {
      yield mk(RequestCompleted, { method: 'GET', route: '/health', status: 200, duration_ms: 1, bytes_in: 0, bytes_out: 15, ip, principal: null, tier: null, error_code: null, request_id: requestId, instance }, instance);
    }
  }
}
