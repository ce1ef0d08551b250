/**
 * IP addresses as sortable keys, so that one index answers both an exact address and a CIDR
 * range: every address becomes 32 hex digits of its IPv6 form (IPv4 as ::ffff:a.b.c.d), and a
 * range becomes the interval [first, last] of those keys.
 */
import ipaddr from 'ipaddr.js';
import { parseCidr, parseIp } from '../network/cidr.ts';

function bytesOf(addr: ipaddr.IPv4 | ipaddr.IPv6): number[] {
  return addr.kind() === 'ipv4' ? (addr as ipaddr.IPv4).toIPv4MappedAddress().toByteArray() : addr.toByteArray();
}

const hex = (bytes: readonly number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join('');

/** The sortable key of an address, or null when `ip` is not one (e.g. an HMAC pseudonym). */
export function ipKey(ip: string | null): string | null {
  if (ip === null) return null;
  const addr = parseIp(ip);
  return addr ? hex(bytesOf(addr)) : null;
}

/** The inclusive key interval of an address or CIDR range. Throws TypeError when invalid. */
export function cidrKeyRange(cidr: string): { lo: string; hi: string } {
  const [addr, bits] = parseCidr(cidr);
  const prefix = addr.kind() === 'ipv4' ? bits + 96 : bits;
  const bytes = bytesOf(addr);
  const lo: number[] = [];
  const hi: number[] = [];
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    const mask = keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
    lo.push(bytes[i]! & mask);
    hi.push((bytes[i]! & mask) | (~mask & 0xff));
  }
  return { lo: hex(lo), hi: hex(hi) };
}
