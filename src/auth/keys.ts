/**
 * API key format and hashing. Managed keys read `jrv_<id>_<secret>`: the public id finds the
 * record without scanning, the secret is compared as a SHA-256 digest in constant time.
 * Keys from the environment have no id part; they are found by the digest of the whole key.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

const MANAGED = /^jrv_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** SHA-256 hex digest of a secret. */
export function sha256Hex(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** Constant-time comparison of two hex digests of equal length. */
export function digestsEqual(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

export interface ParsedManagedKey {
  readonly id: string;
  readonly secret: string;
}

/** Splits a managed key into its public id and secret; undefined when it is not one. */
export function parseManagedKey(token: string): ParsedManagedKey | undefined {
  const m = MANAGED.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

const ID_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A new managed key: 12-character public id, 256-bit secret. */
export function generateManagedKey(): { id: string; key: string; secretSha256: string } {
  const bytes = randomBytes(12);
  let id = '';
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `jrv_${id}_${secret}`, secretSha256: sha256Hex(secret) };
}

/** A random secret for generated configuration (JWT secret, bootstrap keys). */
export function generateSecret(bytes = 48): string {
  return randomBytes(bytes).toString('base64url');
}
