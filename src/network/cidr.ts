/**
 * CIDR sets for IPv4 and IPv6. IPv4-mapped IPv6 addresses (::ffff:203.0.113.7) are matched
 * as their IPv4 form, so one rule covers both ways a dual-stack socket reports a peer.
 */
import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses an address, unwrapping IPv4-mapped IPv6. Undefined when it is not an address. */
export function parseIp(raw: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const s = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (!ipaddr.isValid(s)) return undefined;
  const addr = ipaddr.parse(s);
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

/** Recent normalizeIp answers: every request normalizes its peer, and peers repeat. */
const normalized = new Map<string, string | null>();
const NORMALIZED_MAX = 4096;

/** The canonical text of an address (IPv4-mapped shown as IPv4), or undefined. */
export function normalizeIp(raw: string): string | undefined {
  const known = normalized.get(raw);
  if (known !== undefined) return known ?? undefined;
  const ip = parseIp(raw)?.toString();
  // Bounded: inputs include client-chosen X-Forwarded-For hops, so the map is emptied when full.
  if (normalized.size >= NORMALIZED_MAX) normalized.clear();
  if (raw.length <= 64) normalized.set(raw, ip ?? null);
  return ip;
}

/** Parses `203.0.113.0/24`, `2001:db8::/32` or a single address. Throws TypeError when invalid. */
export function parseCidr(raw: string): Range {
  const s = raw.trim();
  if (s.includes('/')) {
    if (!ipaddr.isValidCIDR(s)) throw new TypeError(`not a CIDR range: ${s}`);
    const [addr, bits] = ipaddr.parseCIDR(s);
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
    }
    return [addr, bits];
  }
  const addr = parseIp(s);
  if (!addr) throw new TypeError(`not an IP address: ${s}`);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

export function isValidCidr(raw: string): boolean {
  try {
    parseCidr(raw);
    return true;
  } catch {
    return false;
  }
}

/** The canonical text of a CIDR (`203.0.113.7` → `203.0.113.7/32`). */
export function canonicalCidr(raw: string): string {
  const [addr, bits] = parseCidr(raw);
  return `${addr.toString()}/${bits}`;
}

/** A compiled set of ranges with a fast `has`. */
export class CidrSet {
  private readonly v4: Range[] = [];
  private readonly v6: Range[] = [];
  private readonly exact = new Set<string>();

  constructor(cidrs: Iterable<string>) {
    for (const c of cidrs) {
      const [addr, bits] = parseCidr(c);
      if ((addr.kind() === 'ipv4' && bits === 32) || (addr.kind() === 'ipv6' && bits === 128)) this.exact.add(addr.toString());
      else (addr.kind() === 'ipv4' ? this.v4 : this.v6).push([addr, bits]);
    }
  }

  get empty(): boolean {
    return this.exact.size === 0 && this.v4.length === 0 && this.v6.length === 0;
  }

  /** `ip` is a normalized address (from `normalizeIp`). */
  has(ip: string): boolean {
    if (this.exact.has(ip)) return true;
    if (this.v4.length === 0 && this.v6.length === 0) return false;
    const addr = parseIp(ip);
    if (!addr) return false;
    const ranges = addr.kind() === 'ipv4' ? this.v4 : this.v6;
    for (const r of ranges) if (addr.match(r as never)) return true;
    return false;
  }
}
