// Datagrams the kernel dropped for one UDP socket because its receive buffer was full: Linux
// counts them per socket in /proc/net/udp(6) ("drops", the last column). Reading it makes a UDP
// flood's losses visible instead of silent. Elsewhere (no /proc) the answer is undefined.

import { readFileSync } from 'node:fs';

/** Parses /proc/net/udp text; returns the summed drops of sockets bound to `port`, or undefined if none. */
export function parseUdpDrops(text: string, port: number): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    const drops = cols.at(-1);
    if (cols.length < 13 || local === undefined || drops === undefined) continue;
    const hexPort = local.slice(local.lastIndexOf(':') + 1);
    if (Number.parseInt(hexPort, 16) !== port) continue;
    const n = Number(drops);
    if (Number.isFinite(n)) total = (total ?? 0) + n;
  }
  return total;
}

export function kernelUdpDrops(port: number, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): number | undefined {
  let total: number | undefined;
  for (const path of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = read(path);
    } catch {
      continue;
    }
    const d = parseUdpDrops(text, port);
    if (d !== undefined) total = (total ?? 0) + d;
  }
  return total;
}
