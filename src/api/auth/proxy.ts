// The client address behind a reverse proxy. X-Forwarded-For is believed only hop by hop from the
// socket inwards while each hop is a trusted proxy (the rule of proxy-addr / Fastify's trustProxy):
// a client that writes the header itself cannot choose the address the audit trail and limits see.

import { BlockList, isIP } from 'node:net';

/** Names accepted besides addresses and CIDR ranges, as in Fastify's trustProxy. */
const PRESETS: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

export class TrustProxyError extends Error {
  override readonly name = 'TrustProxyError';
}

/** A predicate "this address is a trusted proxy" from addresses, CIDR ranges and preset names. */
export function trustedProxies(list: readonly string[], where = 'trustProxy'): (address: string) => boolean {
  if (list.length === 0) return () => false;
  const block = new BlockList();
  list.forEach((entry, i) => {
    for (const item of PRESETS[entry.trim().toLowerCase()] ?? [entry.trim()]) {
      const slash = item.indexOf('/');
      const addr = slash < 0 ? item : item.slice(0, slash);
      const family = isIP(addr);
      if (family === 0) throw new TrustProxyError(`${where}[${i}]: ${JSON.stringify(entry)} is not an IP address, a CIDR range or one of ${Object.keys(PRESETS).join(', ')}`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (slash < 0) {
        block.addAddress(addr, type);
        continue;
      }
      const bits = Number(item.slice(slash + 1));
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) throw new TrustProxyError(`${where}[${i}]: ${JSON.stringify(entry)} has a bad prefix length`);
      block.addSubnet(addr, bits, type);
    }
  });
  return (address) => {
    const family = isIP(address);
    return family !== 0 && block.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * The client's address: the socket's peer, or, while that peer is a trusted proxy, the next address
 * of X-Forwarded-For read from the right. Malformed entries stop the walk at the last good address.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: (address: string) => boolean): string {
  let addr = stripMapped(socketAddress ?? '');
  if (forwardedFor === undefined || !trusted(addr)) return addr;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = stripMapped(hops[i] ?? '');
    if (isIP(hop) === 0) break;
    addr = hop;
    if (!trusted(hop)) break;
  }
  return addr;
}

/** "::ffff:10.0.0.1" (an IPv4 peer on a dual-stack socket) is shown as "10.0.0.1". */
function stripMapped(a: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a) ? a.slice(7) : a;
}
