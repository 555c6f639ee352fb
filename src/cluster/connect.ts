// How the core and the probes reach NATS: server URL, credentials (NKEY seed file, user JWT .creds
// file, or user and password) and TLS, with errors that say which probe was refused where and why.

import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';

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
  const servers = link.url.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (servers.length === 0) throw new Error('NATS URL is empty: expected nats://host:4222');
  for (const s of servers) if (!/^(nats|tls):\/\/[^/]+$/.test(s) && !/^[^/:]+:\d+$/.test(s)) throw new Error(`NATS URL ${JSON.stringify(s)}: expected nats://host:port or tls://host:port`);
  const opts: ConnectionOptions = { servers, ...extra };
  if (link.nkeyFile !== undefined) {
    const seed = readSecret(link.nkeyFile, 'NKEY seed').toString('utf8').trim();
    if (!/^SU[A-Z2-7]{56}$/.test(seed)) throw new Error(`${link.nkeyFile}: expected an NKEY user seed (SU followed by 56 base32 characters)`);
    opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  } else if (link.credsFile !== undefined) {
    opts.authenticator = credsAuthenticator(readSecret(link.credsFile, 'NATS credentials'));
  } else if (link.user !== undefined) {
    opts.user = link.user;
    if (link.password !== undefined) opts.pass = link.password;
  }
  if (link.tlsCaFile !== undefined || link.tlsCertFile !== undefined || servers.some((s) => s.startsWith('tls://'))) {
    opts.tls = {
      ...(link.tlsCaFile !== undefined ? { ca: readSecret(link.tlsCaFile, 'TLS CA').toString('utf8') } : {}),
      ...(link.tlsCertFile !== undefined ? { cert: readSecret(link.tlsCertFile, 'TLS certificate').toString('utf8') } : {}),
      ...(link.tlsKeyFile !== undefined ? { key: readSecret(link.tlsKeyFile, 'TLS key').toString('utf8') } : {}),
    };
  }
  return opts;
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

/** One attempt to connect; a refusal becomes a NatsRefusedError naming who and where. */
export async function connectOnce(link: NatsLinkOptions, who: string, extra: Partial<ConnectionOptions>): Promise<NatsConnection> {
  try {
    return await connect(connectionOptions(link, { ...extra, maxReconnectAttempts: -1, waitOnFirstConnect: false }));
  } catch (err) {
    if (isRefusal(err)) throw new NatsRefusedError(`${link.url} refused ${who}: ${(err as Error).message} (check the probe's credentials and that the server knows them)`);
    throw err;
  }
}
