/**
 * Topic `jarvis.admin`: the key registry and the IP block list are event-sourced from here.
 * Keyed by key id or block id. Only a key's SHA-256 hash travels, never the key.
 */
import { z } from 'zod';
import { ActorIp, defineEvent, IsoTime, KeyId, Permission } from './define.ts';

export const ADMIN_TOPIC = 'jarvis.admin';

export const ApiKeyCreated = defineEvent({
  type: 'jarvis.admin.api_key_created.v1',
  topic: ADMIN_TOPIC,
  description: 'A managed API key was created (or a successor issued by rotation).',
  data: z.object({
    key_id: KeyId,
    name: z.string().min(1).max(100),
    permissions: z.array(Permission).min(1),
    secret_sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 of the secret part; the secret itself is never stored'),
    created_at: IsoTime,
    expires_at: IsoTime.nullable(),
    created_by: KeyId.nullable(),
    rotated_from: KeyId.nullable(),
    ip: ActorIp,
  }),
});

export const ApiKeyRevoked = defineEvent({
  type: 'jarvis.admin.api_key_revoked.v1',
  topic: ADMIN_TOPIC,
  description: 'A managed API key was revoked; it stops working on every instance.',
  data: z.object({ key_id: KeyId, revoked_by: KeyId.nullable(), reason: z.string().max(200).nullable(), ip: ActorIp }),
});

export const ApiKeyRotated = defineEvent({
  type: 'jarvis.admin.api_key_rotated.v1',
  topic: ADMIN_TOPIC,
  description: 'A key was rotated: the old key keeps working until `overlap_until`, then expires.',
  data: z.object({ key_id: KeyId, successor_id: KeyId, overlap_until: IsoTime, rotated_by: KeyId.nullable(), ip: ActorIp }),
});

export const IpBlockAdded = defineEvent({
  type: 'jarvis.admin.ip_block_added.v1',
  topic: ADMIN_TOPIC,
  description: 'An address or CIDR range was blocked, by an admin or automatically (brute force).',
  data: z.object({
    block_id: z.string().max(64),
    cidr: z.string().max(64),
    expires_at: IsoTime.nullable(),
    reason: z.string().max(200).nullable(),
    source: z.enum(['admin', 'auto']),
    created_by: KeyId.nullable(),
    created_at: IsoTime,
    ip: ActorIp,
  }),
});

export const IpBlockRemoved = defineEvent({
  type: 'jarvis.admin.ip_block_removed.v1',
  topic: ADMIN_TOPIC,
  description: 'A block was lifted before its expiry.',
  data: z.object({ block_id: z.string().max(64), removed_by: KeyId.nullable(), ip: ActorIp }),
});
