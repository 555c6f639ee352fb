// Test peer: a scripted "legacy TLS server" that answers a ClientHello the way an old device does
// — it accepts the protocol versions and cipher suites it is given (SSL 3.0, RC4, 3DES, which no
// TLS library on this machine can serve any more) with a ServerHello, and otherwise sends the alert
// a real server would. It never completes a handshake: the audit only needs the first answer.

import { startTcpServer, type TestServer } from '../testing/peers.ts';

export interface LegacyServerOptions {
  /** Wire versions accepted, e.g. [0x0300, 0x0301] for SSL 3.0 and TLS 1.0. */
  readonly versions: readonly number[];
  /** Suites accepted, in the server's order of preference. */
  readonly suites: readonly number[];
  /** Suites accepted at one wire version instead of `suites` (EXPORT suites only at TLS 1.0, say). */
  readonly suitesAt?: Readonly<Record<number, readonly number[]>>;
}

function alert(description: number): Buffer {
  return Buffer.from([21, 3, 1, 0, 2, 2, description]);
}

function serverHello(version: number, suite: number): Buffer {
  const body = Buffer.concat([Buffer.from([version >> 8, version & 0xff]), Buffer.alloc(32, 7), Buffer.from([0, suite >> 8, suite & 0xff, 0])]);
  const hs = Buffer.concat([Buffer.from([2, 0, body.length >> 8, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([22, version >> 8, version & 0xff, hs.length >> 8, hs.length & 0xff]), hs]);
}

/** Reads client_version, the offered suites and whether supported_versions (TLS 1.3) is present. */
function readHello(b: Buffer): { version: number; suites: number[]; tls13: boolean } | undefined {
  if (b.length < 5 || b[0] !== 22 || b.length < 5 + b.readUInt16BE(3)) return undefined;
  let p = 9;
  const version = b.readUInt16BE(p);
  p += 2 + 32;
  p += 1 + b[p]!;
  const n = b.readUInt16BE(p);
  const suites: number[] = [];
  for (let i = 0; i < n; i += 2) suites.push(b.readUInt16BE(p + 2 + i));
  p += 2 + n;
  p += 1 + b[p]!;
  let tls13 = false;
  if (p + 2 <= b.length) {
    const end = p + 2 + b.readUInt16BE(p);
    for (p += 2; p + 4 <= end; p += 4 + b.readUInt16BE(p + 2)) if (b.readUInt16BE(p) === 0x002b) tls13 = true;
  }
  return { version, suites, tls13 };
}

export function startLegacyTlsServer(o: LegacyServerOptions): Promise<TestServer> {
  return startTcpServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const hello = readHello(buf);
      if (!hello) return;
      // a pre-1.3 server ignores supported_versions and negotiates down from client_version
      const version = [...o.versions].sort((a, b) => b - a).find((v) => v <= hello.version);
      if (version === undefined) return void socket.end(alert(70));
      const suite = (o.suitesAt?.[version] ?? o.suites).find((s) => hello.suites.includes(s));
      if (suite === undefined) return void socket.end(alert(40));
      socket.end(serverHello(version, suite));
    });
  });
}
