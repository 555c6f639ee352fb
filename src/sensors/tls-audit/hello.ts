// A raw TLS ClientHello and the first answer to it (ServerHello or alert), the way TLS scanners
// probe: it tells which protocol versions and cipher suites a server accepts without completing a
// handshake, so it can test SSL 3.0, RC4, 3DES or EXPORT suites that this Node's OpenSSL no longer
// offers (and never has to be able to use them). Nothing here sends application data.

import net from 'node:net';
import { randomBytes } from 'node:crypto';

export const PROTOCOLS = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

const WIRE: Readonly<Record<Protocol, number>> = { SSLv3: 0x0300, TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };
const FROM_WIRE = new Map<number, Protocol>(Object.entries(WIRE).map(([k, v]) => [v, k as Protocol]));

/** Cipher suites every reasonable TLS 1.0–1.2 server accepts one of (ECDHE/DHE/RSA with AES/ChaCha, GCM and CBC). */
export const COMMON_SUITES: readonly number[] = [
  0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0xc023, 0xc027, 0xc024, 0xc028, 0x009e, 0x009f, 0x0033, 0x0039, 0x0067, 0x006b, 0x009c, 0x009d,
  0x002f, 0x0035, 0x003c, 0x003d,
];
const TLS13_SUITES: readonly number[] = [0x1301, 0x1302, 0x1303];

/** The weak families tls-audit looks for, each with the IANA suites that belong to it. */
export const WEAK_SUITES = {
  RC4: [0x0004, 0x0005, 0xc007, 0xc011, 0xc016, 0x0018, 0x008a, 0x0020, 0x0024],
  '3DES': [0x000a, 0x0013, 0x0016, 0xc008, 0xc012, 0xc017, 0x001b, 0x008b],
  NULL: [0x0001, 0x0002, 0x003b, 0xc006, 0xc010, 0xc015, 0x002c, 0x002d, 0x002e],
  EXPORT: [0x0003, 0x0006, 0x0008, 0x000b, 0x000e, 0x0011, 0x0014, 0x0017, 0x0019, 0x0062, 0x0064],
  anonymous: [0x0034, 0x003a, 0x006c, 0x006d, 0x00a6, 0x00a7, 0xc018, 0xc019, 0x001a, 0x0046],
} as const satisfies Readonly<Record<string, readonly number[]>>;
export type WeakFamily = keyof typeof WEAK_SUITES;

export interface HelloOptions {
  readonly host: string;
  readonly port: number;
  /** SNI (host names only). */
  readonly servername?: string;
  /** The one protocol version offered (TLS 1.3 through supported_versions). */
  readonly version: Protocol;
  /** Suites offered (default: the common ones for the version). */
  readonly suites?: readonly number[];
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

export type HelloResult =
  /** The server chose this version and suite. */
  | { readonly kind: 'accepted'; readonly version: Protocol | 'unknown'; readonly suite: number }
  /** The server refused the offer: an alert, or a close without one. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** The probe did not get an answer it can judge: connection failed, timeout, not TLS. */
  | { readonly kind: 'failed'; readonly code: string; readonly reason: string };

const ALERTS: Readonly<Record<number, string>> = {
  10: 'unexpected_message',
  40: 'handshake_failure',
  47: 'illegal_parameter',
  50: 'decode_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  112: 'unrecognized_name',
};

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function vec16(body: Buffer): Buffer {
  return Buffer.concat([u16(body.length), body]);
}

function ext(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(body)]);
}

/** Signature schemes of TLS 1.2/1.3 including SHA-1 ones, so that old certificates still qualify. */
const SIG_ALGS = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0402, 0x0202];
const GROUPS = [0x001d, 0x0017, 0x0018, 0x0019, 0x0100];

export function clientHello(o: Pick<HelloOptions, 'version' | 'servername' | 'suites'>): Buffer {
  const tls13 = o.version === 'TLSv1.3';
  const suites = o.suites ?? (tls13 ? TLS13_SUITES : COMMON_SUITES);
  const legacyVersion = tls13 ? 0x0303 : WIRE[o.version];
  const exts: Buffer[] = [];
  if (o.version !== 'SSLv3') {
    if (o.servername) {
      const name = Buffer.from(o.servername, 'ascii');
      exts.push(ext(0x0000, vec16(Buffer.concat([Buffer.from([0]), vec16(name)]))));
    }
    exts.push(ext(0x000a, vec16(Buffer.concat(GROUPS.map(u16)))));
    exts.push(ext(0x000b, Buffer.from([1, 0])));
    exts.push(ext(0x000d, vec16(Buffer.concat(SIG_ALGS.map(u16)))));
    exts.push(ext(0xff01, Buffer.from([0])));
    if (tls13) {
      exts.push(ext(0x002b, Buffer.from([2, 0x03, 0x04])));
      // any 32 bytes are an X25519 public key: the server answers before it could notice it is not ours
      exts.push(ext(0x0033, vec16(Buffer.concat([u16(0x001d), vec16(randomBytes(32))]))));
      exts.push(ext(0x002d, Buffer.from([1, 1])));
    }
  }
  const sessionId = tls13 ? randomBytes(32) : Buffer.alloc(0);
  const body = Buffer.concat([
    u16(legacyVersion),
    randomBytes(32),
    Buffer.from([sessionId.length]),
    sessionId,
    vec16(Buffer.concat([...suites.map(u16), ...(o.version === 'SSLv3' ? [u16(0x00ff)] : [])])),
    Buffer.from([1, 0]),
    ...(exts.length ? [vec16(Buffer.concat(exts))] : []),
  ]);
  const handshake = Buffer.concat([Buffer.from([1, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([22]), u16(o.version === 'SSLv3' ? 0x0300 : 0x0301), u16(handshake.length), handshake]);
}

/** Reads the ServerHello out of handshake bytes; undefined while incomplete. Throws on a malformed one. */
export function parseServerHello(hs: Buffer): { version: Protocol | 'unknown'; suite: number } | undefined {
  if (hs.length < 4) return undefined;
  if (hs[0] !== 2) throw new Error(`expected a ServerHello, got handshake message type ${hs[0]}`);
  const len = hs.readUIntBE(1, 3);
  if (hs.length < 4 + len) return undefined;
  const body = hs.subarray(4, 4 + len);
  let p = 0;
  const need = (n: number) => {
    if (p + n > body.length) throw new Error('ServerHello is truncated');
  };
  need(35);
  let version = body.readUInt16BE(0);
  p = 34;
  const sid = body[p]!;
  p += 1 + sid;
  need(3);
  const suite = body.readUInt16BE(p);
  p += 3;
  if (p + 2 <= body.length) {
    const end = Math.min(body.length, p + 2 + body.readUInt16BE(p));
    p += 2;
    while (p + 4 <= end) {
      const type = body.readUInt16BE(p);
      const size = body.readUInt16BE(p + 2);
      if (type === 0x002b && size === 2 && p + 6 <= end) version = body.readUInt16BE(p + 4);
      p += 4 + size;
    }
  }
  return { version: FROM_WIRE.get(version) ?? 'unknown', suite };
}

const MAX_ANSWER_BYTES = 65_536;

/** Sends one ClientHello and reads the first answer. Never rejects; closes the socket on every path. */
export function probeHello(o: HelloOptions): Promise<HelloResult> {
  if (o.signal.aborted) return Promise.resolve(abortResult(o.signal));
  return new Promise((resolve) => {
    const socket = net.connect({ host: o.host, port: o.port });
    let buf = Buffer.alloc(0);
    let hs = Buffer.alloc(0);
    let connected = false;
    let done = false;
    const finish = (r: HelloResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(r);
    };
    const onAbort = () => finish(abortResult(o.signal));
    o.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish({ kind: 'failed', code: connected ? 'TIMEOUT' : 'CONNECT_TIMEOUT', reason: connected ? `no answer to the ClientHello within ${o.timeoutMs} ms` : `no connection to ${o.host}:${o.port} within ${o.timeoutMs} ms` }), o.timeoutMs);
    socket.once('connect', () => {
      connected = true;
      socket.write(clientHello(o));
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      // a ServerHello fits in a few records: a peer that streams more is not answering our hello
      if (buf.length + hs.length > MAX_ANSWER_BYTES) return finish({ kind: 'failed', code: 'TLS_HANDSHAKE', reason: `no ServerHello in the first ${MAX_ANSWER_BYTES} bytes` });
      while (buf.length >= 5) {
        const type = buf[0]!;
        if (type !== 21 && type !== 22) return finish({ kind: 'failed', code: 'TLS_HANDSHAKE', reason: `the answer is not TLS (first byte 0x${type.toString(16).padStart(2, '0')})` });
        const len = buf.readUInt16BE(3);
        if (buf.length < 5 + len) return;
        const fragment = buf.subarray(5, 5 + len);
        buf = buf.subarray(5 + len);
        if (type === 21) {
          const description = fragment[1];
          return finish({ kind: 'refused', reason: description === undefined ? 'an empty alert' : `alert ${ALERTS[description] ?? String(description)}` });
        }
        hs = Buffer.concat([hs, fragment]);
        try {
          const hello = parseServerHello(hs);
          if (hello) return finish({ kind: 'accepted', ...hello });
        } catch (e) {
          return finish({ kind: 'failed', code: 'TLS_HANDSHAKE', reason: (e as Error).message });
        }
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (connected) finish({ kind: 'refused', reason: `connection ${err.code === 'ECONNRESET' ? 'reset' : `error ${err.code ?? err.message}`}` });
      else finish({ kind: 'failed', code: err.code ?? 'INTERNAL', reason: `cannot connect to ${o.host}:${o.port}: ${err.message}` });
    });
    socket.on('close', () => finish({ kind: 'refused', reason: 'closed without an answer' }));
  });
}

function abortResult(signal: AbortSignal): HelloResult {
  const timeout = (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError';
  return { kind: 'failed', code: timeout ? 'TIMEOUT' : 'ABORTED', reason: timeout ? 'the check timed out' : 'the check was cancelled' };
}

/** Probes each protocol version; the result per version (sequential: small devices dislike bursts). */
export async function probeVersions(o: Omit<HelloOptions, 'version' | 'suites'>, versions: readonly Protocol[] = PROTOCOLS): Promise<Map<Protocol, HelloResult>> {
  const out = new Map<Protocol, HelloResult>();
  for (const v of versions) {
    const r = await probeHello({ ...o, version: v });
    // a server that answers with another version than the one offered does not support the one offered
    out.set(v, r.kind === 'accepted' && r.version !== v ? { kind: 'refused', reason: `answered with ${r.version}` } : r);
    if (o.signal.aborted) break;
  }
  return out;
}
