// How the core and the probes reach NATS: server URL, credentials (NKEY seed file, user JWT .creds
// file, or user and password) and TLS (with a client certificate for servers that verify clients),
// with errors that say which probe was refused where and why.

import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { connect, jwtAuthenticator, nkeyAuthenticator, nkeys, type ConnectionOptions, type NatsConnection } from 'nats';
import { parseCreds } from './jwt.ts';

export interface NatsLinkOptions {
  /** nats://host:4222 or tls://host:4222 (several separated by commas). */
  readonly url: string;
  /** File holding an NKEY user seed (SU...). */
  readonly nkeyFile?: string;
  /** A .creds file (user JWT and seed) for servers in operator mode. */
  readonly credsFile?: string;
  readonly user?: string;
  readonly password?: string;
  /** CA bundle to verify the server; setting it turns TLS on. */
  readonly tlsCaFile?: string;
  /** Client certificate and key, for servers that verify clients. */
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
}

export function connectionOptions(link: NatsLinkOptions, extra: Partial<ConnectionOptions>): ConnectionOptions {
  const servers = serverList(link);
  const opts: ConnectionOptions = { servers, ...extra };
  if (link.nkeyFile !== undefined) {
    opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(nkeySeed(link.nkeyFile)));
  } else if (link.credsFile !== undefined) {
    // Checked here rather than by the server: a wrong file is named with what is wrong in it.
    const creds = parseCreds(readSecret(link.credsFile, 'NATS credentials').toString('utf8'), link.credsFile);
    opts.authenticator = jwtAuthenticator(creds.jwt, new TextEncoder().encode(creds.seed));
  } else if (link.user !== undefined) {
    opts.user = link.user;
    if (link.password !== undefined) opts.pass = link.password;
  }
  if ((link.tlsCertFile === undefined) !== (link.tlsKeyFile === undefined)) throw new Error(`TLS client certificate: give both the certificate and its key file (got only ${link.tlsCertFile ?? link.tlsKeyFile})`);
  if (usesTls(link)) {
    opts.tls = {
      ...(link.tlsCaFile !== undefined ? { ca: readSecret(link.tlsCaFile, 'TLS CA').toString('utf8') } : {}),
      ...(link.tlsCertFile !== undefined ? { cert: readSecret(link.tlsCertFile, 'TLS certificate').toString('utf8') } : {}),
      ...(link.tlsKeyFile !== undefined ? { key: readSecret(link.tlsKeyFile, 'TLS key').toString('utf8') } : {}),
    };
  }
  return opts;
}

function serverList(link: NatsLinkOptions): string[] {
  const servers = link.url.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (servers.length === 0) throw new Error('NATS URL is empty: expected nats://host:4222');
  for (const s of servers) if (!/^(nats|tls):\/\/[^/]+$/.test(s) && !/^[^/:]+:\d+$/.test(s)) throw new Error(`NATS URL ${JSON.stringify(s)}: expected nats://host:port or tls://host:port`);
  return servers;
}

function usesTls(link: NatsLinkOptions): boolean {
  return link.tlsCaFile !== undefined || link.tlsCertFile !== undefined || serverList(link).some((s) => s.startsWith('tls://'));
}

function nkeySeed(file: string): string {
  const seed = readSecret(file, 'NKEY seed').toString('utf8').trim();
  if (!/^SU[A-Z2-7]{56}$/.test(seed)) throw new Error(`${file}: expected an NKEY user seed (SU followed by 56 base32 characters)`);
  return seed;
}

function readSecret(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export class NatsRefusedError extends Error {}

/** True when the server will never accept this client as it is (wrong credentials, no permission). */
export function isRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'AUTHORIZATION_VIOLATION' || code === 'AUTHENTICATION_EXPIRED' || code === 'AUTHENTICATION_TIMEOUT' || /authorization violation|authentication/i.test(String((err as Error | null)?.message));
}

/** What the operator should look at when the server refuses these credentials. */
function credentialHint(link: NatsLinkOptions): string {
  if (link.nkeyFile !== undefined) {
    const pub = (nkeys as unknown as { fromSeed(s: Uint8Array): { getPublicKey(): string } }).fromSeed(new TextEncoder().encode(nkeySeed(link.nkeyFile))).getPublicKey();
    return `the server does not accept the NKEY in ${link.nkeyFile}: check that its configuration lists the public key ${pub}`;
  }
  if (link.credsFile !== undefined) {
    const { claims } = parseCreds(readSecret(link.credsFile, 'NATS credentials').toString('utf8'), link.credsFile);
    return `the server does not accept the user JWT in ${link.credsFile}, user ${claims.sub} of account ${claims.iss}: check that the account is one the server's operator trusts (resolver_preload or the account resolver) and that the user is not revoked`;
  }
  if (link.user !== undefined) return `check the user name ${JSON.stringify(link.user)} and its password`;
  return 'the server wants credentials: give an NKEY seed file, a .creds file, or a user and password';
}

/** One attempt to connect; a refusal becomes a NatsRefusedError naming who and where. */
export async function connectOnce(link: NatsLinkOptions, who: string, extra: Partial<ConnectionOptions>): Promise<NatsConnection> {
  const opts = connectionOptions(link, { ...extra, maxReconnectAttempts: -1, waitOnFirstConnect: false });
  try {
    return await connect(opts);
  } catch (err) {
    if (isRefusal(err)) throw new NatsRefusedError(`${link.url} refused ${who}: ${(err as Error).message} (${credentialHint(link)})`);
    // A server that verifies clients drops a TLS 1.3 client it does not accept after the handshake,
    // which nats.js only reports as a timeout: ask the server what went wrong.
    const raw = (err as { code?: unknown } | null)?.code;
    const code = typeof raw === 'string' ? raw : '';
    const why = usesTls(link) && (code === 'TIMEOUT' || /SSL|TLS|CERT/i.test(`${code} ${(err as Error | null)?.message ?? ''}`)) ? await tlsRefusal(link, opts) : undefined;
    if (why !== undefined) throw new NatsRefusedError(`${link.url} refused ${who}: ${why}`);
    throw err;
  }
}

/**
 * Why a server that requires TLS client certificates will not accept this client, or undefined if
 * that is not the reason: its INFO says whether it verifies clients, and a handshake with the
 * client's own certificate shows whether it accepts that one. Each step is bounded.
 */
async function tlsRefusal(link: NatsLinkOptions, opts: ConnectionOptions, boundMs = 5000): Promise<string | undefined> {
  const first = serverList(link)[0]!;
  const m = /^(?:(?:nats|tls):\/\/)?(.+):(\d+)$/.exec(first);
  if (!m) return undefined;
  const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
  const port = Number(m[2]);
  const socket = net.connect(port, host);
  try {
    const info = await new Promise<Record<string, unknown> | undefined>((resolve) => {
      let buf = '';
      const timer = setTimeout(() => resolve(undefined), boundMs);
      socket.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        const end = buf.indexOf('\r\n');
        if (end < 0) return;
        clearTimeout(timer);
        socket.removeAllListeners('data');
        const line = /^INFO\s+(\{.*\})$/.exec(buf.slice(0, end).trim());
        try {
          resolve(line ? (JSON.parse(line[1]!) as Record<string, unknown>) : undefined);
        } catch {
          resolve(undefined);
        }
      });
      socket.on('error', () => resolve(undefined));
      socket.on('close', () => resolve(undefined));
    });
    if (info?.['tls_verify'] !== true) return undefined;
    if (link.tlsCertFile === undefined) return 'the server requires a TLS client certificate and none is configured (give the certificate and key files of one signed by the CA the server trusts)';
    const t = opts.tls ?? {};
    const alert = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), boundMs);
      const done = (v: string | undefined) => {
        clearTimeout(timer);
        s.destroy();
        resolve(v);
      };
      const s = tls.connect({ socket, host, servername: net.isIP(host) ? undefined : host, ca: t.ca, cert: t.cert, key: t.key });
      // A session ticket comes only once the server has accepted the client's certificate.
      s.once('session', () => done(undefined));
      s.once('error', (e: NodeJS.ErrnoException) => done(/ALERT/.test(e.code ?? '') ? (/\balert ([a-z][a-z ]*[a-z])/i.exec(e.message)?.[1] ?? e.code) : undefined));
      s.once('close', () => done(undefined));
    });
    return alert === undefined ? undefined : `the server did not accept the TLS client certificate ${link.tlsCertFile} (TLS alert: ${alert}; check that it is signed by the CA the server trusts, valid now, and usable for client authentication)`;
  } finally {
    socket.destroy();
  }
}
