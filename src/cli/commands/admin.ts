/** `jarvis keys|sessions|ip ...`: the admin API's keys, sessions and IP blocks. */
import { api, emit, EXIT, table, UsageError, type Command } from './common.ts';

const json = { json: { type: 'boolean' } } as const;

export const keysCreate: Command = {
  usage: `jarvis keys create --name NAME [--permissions read,chat,stream,admin] [--expires-at ISO] [--json]
Creates an API key and prints it once (it cannot be shown again).`,
  options: { name: { type: 'string' }, permissions: { type: 'string' }, 'expires-at': { type: 'string' }, ...json },
  async run(ctx, v) {
    if (typeof v.name !== 'string') throw new UsageError('--name is required');
    const permissions = ((v.permissions as string | undefined) ?? 'read,chat,stream').split(',').map((p) => p.trim()).filter(Boolean);
    const res = await api(ctx, 'POST', '/admin/keys', { body: { name: v.name, permissions, ...(typeof v['expires-at'] === 'string' && { expires_at: v['expires-at'] }) } });
    const k = (await res.json()) as { id: string; name: string; permissions: string[]; key: string; expires_at: string | null };
    emit(ctx, v.json === true, k, () => `created key ${k.id} (${k.name}; ${k.permissions.join(', ')}; expires ${k.expires_at ?? 'never'})\nkey: ${k.key}\nStore it now: it is not shown again.`);
    return EXIT.ok;
  },
};

export const keysList: Command = {
  usage: 'jarvis keys list [--json]\nEvery key: id, name, permissions, source, expiry, revoked.',
  options: json,
  async run(ctx, v) {
    const body = (await (await api(ctx, 'GET', '/admin/keys')).json()) as { keys: Record<string, unknown>[] };
    emit(ctx, v.json === true, body, () => table(body.keys.map((k) => ({ ...k, permissions: (k.permissions as string[]).join(',') })), ['id', 'name', 'permissions', 'source', 'created_at', 'expires_at', 'revoked']));
    return EXIT.ok;
  },
};

export const keysRevoke: Command = {
  usage: 'jarvis keys revoke KEY_ID\nRevokes a key everywhere (its JWTs stop working too).',
  options: json,
  positionals: [1, 1],
  async run(ctx, v, [id]) {
    await api(ctx, 'DELETE', `/admin/keys/${encodeURIComponent(id!)}`);
    emit(ctx, v.json === true, { revoked: id }, () => `revoked key ${id}`);
    return EXIT.ok;
  },
};

export const sessionsList: Command = {
  usage: 'jarvis sessions list [--principal KEY_ID] [--state active|revoked|expired|all] [--json]',
  options: { principal: { type: 'string' }, state: { type: 'string' }, ...json },
  async run(ctx, v) {
    const body = (await (await api(ctx, 'GET', '/admin/sessions', { query: { principal: v.principal as string | undefined, state: v.state as string | undefined } })).json()) as { sessions: Record<string, unknown>[] };
    emit(ctx, v.json === true, body, () => (body.sessions.length ? table(body.sessions, ['id', 'principal', 'state', 'ip', 'started_at', 'last_seen_at', 'expires_at']) : 'no sessions'));
    return EXIT.ok;
  },
};

export const sessionsRevoke: Command = {
  usage: 'jarvis sessions revoke SESSION_ID\nEnds a session: its tokens stop working on every instance.',
  options: json,
  positionals: [1, 1],
  async run(ctx, v, [id]) {
    await api(ctx, 'DELETE', `/admin/sessions/${encodeURIComponent(id!)}`);
    emit(ctx, v.json === true, { revoked: id }, () => `revoked session ${id}`);
    return EXIT.ok;
  },
};

export const ipBlock: Command = {
  usage: 'jarvis ip block ADDRESS|CIDR [--expires-in SECONDS] [--reason TEXT] [--json]\nBlocks an address or range on every instance.',
  options: { 'expires-in': { type: 'string' }, reason: { type: 'string' }, ...json },
  positionals: [1, 1],
  async run(ctx, v, [cidr]) {
    const expires = v['expires-in'] === undefined ? undefined : Number(v['expires-in']);
    if (expires !== undefined && !Number.isInteger(expires)) throw new UsageError('--expires-in must be a whole number of seconds');
    const res = await api(ctx, 'POST', '/admin/ip-blocks', { body: { cidr, ...(expires !== undefined && { expires_in: expires }), ...(typeof v.reason === 'string' && { reason: v.reason }) } });
    const b = (await res.json()) as { id: string; cidr: string; expires_at: string | null };
    emit(ctx, v.json === true, b, () => `blocked ${b.cidr} (block ${b.id}, until ${b.expires_at ?? 'lifted'})`);
    return EXIT.ok;
  },
};

export const ipUnblock: Command = {
  usage: 'jarvis ip unblock BLOCK_ID\nLifts a block (see `jarvis ip list` for ids).',
  options: json,
  positionals: [1, 1],
  async run(ctx, v, [id]) {
    await api(ctx, 'DELETE', `/admin/ip-blocks/${encodeURIComponent(id!)}`);
    emit(ctx, v.json === true, { unblocked: id }, () => `lifted block ${id}`);
    return EXIT.ok;
  },
};

export const ipList: Command = {
  usage: 'jarvis ip list [--json]\nActive blocks, from admins and automatic brute-force blocks.',
  options: json,
  async run(ctx, v) {
    const body = (await (await api(ctx, 'GET', '/admin/ip-blocks')).json()) as { blocks: Record<string, unknown>[] };
    emit(ctx, v.json === true, body, () => (body.blocks.length ? table(body.blocks, ['id', 'cidr', 'source', 'expires_at', 'reason', 'created_at']) : 'no active blocks'));
    return EXIT.ok;
  },
};
