// A small promise-based SNMP client over net-snmp: one session (one UDP socket) per use, GET of
// many OIDs in chunks (halving a chunk the agent finds tooBig, dropping OIDs an SNMPv1 agent
// reports as noSuchName), and table walks. Failures become SnmpFailure with a code the sensors map
// to the catalogue; nothing here throws for an unreachable or misbehaving agent.

import { snmp, T, type NetSnmpSession, type Varbind } from './lib.ts';
import { decodeVarbind, type SnmpValue } from './values.ts';

export const SNMP_VERSIONS = ['1', '2c', '3'] as const;
export type SnmpVersion = (typeof SNMP_VERSIONS)[number];
export const AUTH_PROTOCOLS = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export const PRIV_PROTOCOLS = ['des', 'aes', 'aes256b', 'aes256r'] as const;
export const SECURITY_LEVELS = ['noAuthNoPriv', 'authNoPriv', 'authPriv'] as const;

export interface SnmpV3User {
  readonly name: string;
  readonly level: (typeof SECURITY_LEVELS)[number];
  readonly authProtocol?: (typeof AUTH_PROTOCOLS)[number];
  readonly authKey?: string;
  readonly privProtocol?: (typeof PRIV_PROTOCOLS)[number];
  readonly privKey?: string;
}

export interface SnmpTarget {
  readonly host: string;
  readonly port: number;
  readonly version: SnmpVersion;
  /** v1/v2c community. */
  readonly community?: string;
  /** v3 user. */
  readonly user?: SnmpV3User;
  readonly context?: string;
  /** Per attempt, ms. */
  readonly timeoutMs: number;
  readonly retries: number;
}

export const SNMP_FAILURES = ['timeout', 'auth', 'errorStatus', 'badResponse', 'aborted', 'socket', 'unsupported'] as const;

/** A request that did not give an answer; `code` says which way it failed. */
export class SnmpFailure extends Error {
  constructor(
    readonly code: (typeof SNMP_FAILURES)[number],
    message: string,
    /** error-status name for errorStatus, the Node.js error code for socket. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'SnmpFailure';
  }
}

/** Requests a session made: one per GET chunk (retries after tooBig/noSuchName included), one per walk. */
export interface SnmpStats {
  requests: number;
}

export interface SnmpSession {
  /** GET of any number of OIDs (chunked); every OID is in the result, possibly as a missing value. */
  get(oids: readonly string[]): Promise<Map<string, SnmpValue>>;
  /** Every (oid, value) under `base`, in order; stops after `maxRows`. */
  walk(base: string, maxRows?: number): Promise<[string, SnmpValue][]>;
  readonly stats: SnmpStats;
  close(): void;
}

export interface OpenOptions {
  readonly signal?: AbortSignal;
  /** Varbinds per GET (default 50). */
  readonly maxVarbinds?: number;
  /** GETs of one get() in flight at once (default 4). */
  readonly inFlight?: number;
}

export type SessionFactory = (target: SnmpTarget, opts?: OpenOptions) => SnmpSession;

const VERSION = { '1': snmp.Version1, '2c': snmp.Version2c, '3': snmp.Version3 } as const;
const LEVEL = { noAuthNoPriv: snmp.SecurityLevel.noAuthNoPriv, authNoPriv: snmp.SecurityLevel.authNoPriv, authPriv: snmp.SecurityLevel.authPriv } as const;

/** Opens a session; close() it on every path (it owns a UDP socket). */
export const openSession: SessionFactory = (target, opts = {}) => {
  const options = {
    port: target.port,
    retries: target.retries,
    timeout: target.timeoutMs,
    version: VERSION[target.version],
    transport: target.host.includes(':') ? ('udp6' as const) : ('udp4' as const),
    backoff: 1,
    reportOidMismatchErrors: true,
    ...(target.context ? { context: target.context } : {}),
  };
  let raw: NetSnmpSession;
  if (target.version === '3') {
    const u = target.user;
    if (!u) throw new SnmpFailure('auth', 'SNMPv3 needs a user');
    raw = snmp.createV3Session(target.host, {
      name: u.name,
      level: LEVEL[u.level],
      ...(u.authProtocol ? { authProtocol: snmp.AuthProtocols[u.authProtocol]! } : {}),
      ...(u.authKey !== undefined ? { authKey: u.authKey } : {}),
      ...(u.privProtocol ? { privProtocol: snmp.PrivProtocols[u.privProtocol]! } : {}),
      ...(u.privKey !== undefined ? { privKey: u.privKey } : {}),
    }, options);
  } else {
    raw = snmp.createSession(target.host, target.community ?? '', options);
  }
  return new Session(raw, target, opts);
};

class Session implements SnmpSession {
  readonly stats: SnmpStats = { requests: 0 };
  #closed = false;
  /** The last undecodable datagram: a timeout after garbage is reported as a bad response. */
  #garbage: string | undefined;
  readonly #maxVarbinds: number;
  readonly #inFlight: number;
  readonly #onAbort = () => this.close();

  constructor(
    private readonly raw: NetSnmpSession,
    private readonly target: SnmpTarget,
    private readonly opts: OpenOptions,
  ) {
    this.#maxVarbinds = Math.max(1, opts.maxVarbinds ?? 50);
    this.#inFlight = Math.max(1, opts.inFlight ?? 4);
    // Without a listener, an undecodable reply is emitted as 'error' and crashes the process.
    // (Socket errors never arrive here: net-snmp re-emits those under the error object as event name.)
    raw.on('error', (e) => {
      this.#garbage = e?.message ?? 'undecodable datagram';
    });
    if (opts.signal?.aborted) this.close();
    else opts.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.opts.signal?.removeEventListener('abort', this.#onAbort);
    try {
      this.raw.close();
    } catch {
      // already closed by a socket error: nothing left to release
    }
  }

  async get(oids: readonly string[]): Promise<Map<string, SnmpValue>> {
    const out = new Map<string, SnmpValue>();
    const unique = [...new Set(oids)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += this.#maxVarbinds) chunks.push(unique.slice(i, i + this.#maxVarbinds));
    // A few chunks in flight hide the round trip (remote sites) without flooding a small agent.
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) await this.#getChunk(chunks[next++]!, out);
    };
    await Promise.all(Array.from({ length: Math.min(this.#inFlight, chunks.length) }, worker));
    return out;
  }

  async #getChunk(oids: string[], out: Map<string, SnmpValue>): Promise<void> {
    let pending = oids;
    // SNMPv1 fails the whole PDU for one unknown OID: drop it (recorded as missing) and ask again.
    for (let attempt = 0; pending.length > 0; attempt++) {
      try {
        const vbs = await this.#call<Varbind[]>((cb) => this.raw.get(pending, cb));
        pending.forEach((oid, i) => out.set(oid, decodeVarbind(vbs[i])));
        return;
      } catch (e) {
        if (!(e instanceof SnmpFailure) || e.code !== 'errorStatus') throw e;
        if (e.detail === 'TooBig' && pending.length > 1) {
          const half = Math.ceil(pending.length / 2);
          await this.#getChunk(pending.slice(0, half), out);
          await this.#getChunk(pending.slice(half), out);
          return;
        }
        const bad = e.message.split(': ')[1];
        if (this.target.version === '1' && e.detail === 'NoSuchName' && bad && pending.includes(bad) && attempt < oids.length) {
          out.set(bad, { kind: 'missing', reason: 'noSuchName' });
          pending = pending.filter((o) => o !== bad);
          continue;
        }
        throw e;
      }
    }
  }

  walk(base: string, maxRows = 10_000): Promise<[string, SnmpValue][]> {
    const rows: [string, SnmpValue][] = [];
    const prefix = base + '.';
    return this.#call<null>((cb) =>
      this.raw.subtree(
        base,
        20,
        (vbs) => {
          for (const vb of vbs) {
            if (vb.type === T.EndOfMibView || !vb.oid.startsWith(prefix)) return true;
            rows.push([vb.oid, decodeVarbind(vb)]);
            if (rows.length >= maxRows) return true;
          }
          return false;
        },
        (err) => cb(err, null),
      ),
    ).then(() => rows);
  }

  #call<R>(start: (cb: (err: Error | null, r: R) => void) => void): Promise<R> {
    if (this.#closed) return Promise.reject(this.#abortOrClosed());
    this.stats.requests++;
    return new Promise<R>((resolve, reject) => {
      try {
        start((err, r) => (err ? reject(this.#classify(err)) : resolve(r)));
      } catch (e) {
        reject(this.#classify(e as Error));
      }
    });
  }

  #abortOrClosed(): SnmpFailure {
    return this.opts.signal?.aborted ? new SnmpFailure('aborted', 'the check was cancelled') : new SnmpFailure('aborted', 'session closed');
  }

  #classify(err: Error): SnmpFailure {
    if (err instanceof SnmpFailure) return err;
    const where = `${this.target.host}:${this.target.port}`;
    if (err.message === 'Socket forcibly closed') return this.#abortOrClosed();
    if (err.name === 'RequestTimedOutError') {
      if (this.#garbage !== undefined) return new SnmpFailure('badResponse', `${where} answered with a datagram that is not SNMP (${this.#garbage})`);
      const tries = this.target.retries + 1;
      const hint = this.target.version === '3' ? '' : `; a wrong community looks exactly like this in SNMP v${this.target.version} (the agent drops the request silently)`;
      return new SnmpFailure('timeout', `no answer from ${where} within ${this.target.timeoutMs} ms (${tries} ${tries === 1 ? 'try' : 'tries'})${hint}`);
    }
    if (err.name === 'ResponseInvalidError') {
      const code = (err as { code?: number }).code;
      if (code === snmp.ResponseInvalidCode.EAuthFailure || code === snmp.ResponseInvalidCode.ECouldNotDecrypt || code === snmp.ResponseInvalidCode.ENotInTimeWindow) {
        return new SnmpFailure('auth', `SNMPv3 user ${this.target.user?.name ?? '?'} rejected by ${where}: ${err.message}`);
      }
      return new SnmpFailure('badResponse', `${where}: ${err.message}`);
    }
    if (err.name === 'RequestFailedError') {
      const st = (err as { status?: unknown }).status;
      const status = typeof st === 'number' ? String(snmp.ErrorStatus[st] ?? st) : err.message.split(':')[0]!;
      return new SnmpFailure('errorStatus', err.message, status);
    }
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_OSSL')) {
      // OpenSSL 3 (Node 17+) ships DES only in its legacy provider.
      return new SnmpFailure('unsupported', `privacy protocol ${this.target.user?.privProtocol ?? '?'} is not available in this Node.js (${err.message}); use AES, or start the probe with --openssl-legacy-provider for DES`);
    }
    if (code !== undefined) return socketFailure(err);
    return new SnmpFailure('badResponse', `${where}: ${err.message}`);
  }
}

function socketFailure(err: Error): SnmpFailure {
  const code = (err as { code?: unknown }).code;
  return new SnmpFailure('socket', err.message, typeof code === 'string' ? code : undefined);
}
