/**
 * Who the client is. `X-Forwarded-For` is believed only when the direct peer is a trusted
 * proxy; then the client is the right-most address that is not itself a trusted proxy
 * (the left-most entries are whatever the client chose to send).
 */
import { CidrSet, normalizeIp } from './cidr.ts';

export function createClientIpResolver(trustedProxies: readonly string[]): (peer: string | undefined, xff: string | undefined) => string {
  const trusted = new CidrSet(trustedProxies);
  return (peer, xff) => {
    const direct = (peer && normalizeIp(peer)) || 'unknown';
    if (trusted.empty || xff === undefined || !trusted.has(direct)) return direct;
    const hops = xff.split(',').map((s) => s.trim());
    for (let i = hops.length - 1; i >= 0; i--) {
      const ip = normalizeIp(hops[i]!);
      if (!ip) return direct; // a malformed hop: stop believing the header
      if (!trusted.has(ip)) return ip;
    }
    return direct;
  };
}
