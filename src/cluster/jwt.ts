// NATS operator mode without nsc: issues the operator, system account, Wardwatch account (JetStream
// on) and user JWTs (v2), one user per probe allowed only its own subjects, and reads and writes
// .creds files. Used by the tests and by sites that want probe credentials they can revoke per account.

import { createHash } from 'node:crypto';
import { nkeys } from 'nats';
import { probePermissions } from './server-config.ts';

// nats re-exports nkeys.js without its types.
interface KeyPair {
  getPublicKey(): string;
  getSeed(): Uint8Array;
  sign(input: Uint8Array): Uint8Array;
  verify(input: Uint8Array, sig: Uint8Array): boolean;
}
const nk = nkeys as unknown as {
  createOperator(): KeyPair;
  createAccount(): KeyPair;
  createUser(): KeyPair;
  fromSeed(seed: Uint8Array): KeyPair;
  fromPublic(publicKey: string): KeyPair;
};

/** One key and the JWT that describes it: keep the seed secret, hand out the JWT. */
export interface Identity {
  readonly name: string;
  readonly publicKey: string;
  readonly seed: string;
  readonly jwt: string;
}

export interface Permissions {
  readonly publish?: readonly string[];
  readonly subscribe?: readonly string[];
}

export interface OperatorSetup {
  readonly operator: Identity;
  /** The account nats-server uses for its own $SYS traffic. */
  readonly system: Identity;
  /** The account the core and the probes live in. */
  readonly account: Identity;
}

export interface JwtClaims {
  readonly jti: string;
  readonly iat: number;
  readonly iss: string;
  readonly sub: string;
  readonly name: string;
  readonly exp?: number;
  readonly nats: { readonly type: string; readonly version: number } & Record<string, unknown>;
}

const UNLIMITED = -1;
const enc = new TextEncoder();

/** A new operator with its system account and one account with JetStream on, all unlimited. */
export function newOperatorSetup(o: { readonly operator?: string; readonly account?: string; readonly now?: number } = {}): OperatorSetup {
  const now = o.now ?? Date.now();
  const okp = nk.createOperator();
  const system = newAccount(okp, 'SYS', false, now);
  const operator = identity(okp, o.operator ?? 'wardwatch', { type: 'operator', version: 2, system_account: system.publicKey }, okp, now);
  return { operator, system, account: newAccount(okp, o.account ?? 'WARDWATCH', true, now) };
}

function newAccount(operator: KeyPair, name: string, jetstream: boolean, now: number): Identity {
  const limits = {
    subs: UNLIMITED, data: UNLIMITED, payload: UNLIMITED, imports: UNLIMITED, exports: UNLIMITED, wildcards: true, conn: UNLIMITED, leaf: UNLIMITED,
    // JetStream is on for an account when either storage limit is not zero.
    ...(jetstream ? { mem_storage: UNLIMITED, disk_storage: UNLIMITED, streams: UNLIMITED, consumer: UNLIMITED } : {}),
  };
  return identity(nk.createAccount(), name, { limits, default_permissions: { pub: {}, sub: {} }, type: 'account', version: 2 }, operator, now);
}

/** A user of the account; with no permissions it may publish and subscribe to anything in it (the core). */
export function newUser(account: Pick<Identity, 'seed'>, name: string, o: { readonly permissions?: Permissions; readonly expiresAt?: number; readonly now?: number } = {}): Identity {
  const p = o.permissions;
  const nats = {
    ...(p?.publish ? { pub: { allow: [...p.publish] } } : { pub: {} }),
    ...(p?.subscribe ? { sub: { allow: [...p.subscribe] } } : { sub: {} }),
    subs: UNLIMITED, data: UNLIMITED, payload: UNLIMITED, type: 'user', version: 2,
  };
  return identity(nk.createUser(), name, nats, fromSeed(account.seed, 'account', 'SA'), o.now ?? Date.now(), o.expiresAt);
}

/** A probe's user: the same subjects server-config.ts allows an NKEY probe, nothing more. */
export function newProbeUser(account: Pick<Identity, 'seed'>, probe: string, o: { readonly expiresAt?: number; readonly now?: number } = {}): Identity {
  return newUser(account, probe, { ...o, permissions: probePermissions(probe) });
}

function identity(kp: KeyPair, name: string, nats: Record<string, unknown>, issuer: KeyPair, now: number, expiresAt?: number): Identity {
  const publicKey = kp.getPublicKey();
  return { name, publicKey, seed: new TextDecoder().decode(kp.getSeed()), jwt: signJwt(issuer, publicKey, name, nats, now, expiresAt) };
}

function signJwt(issuer: KeyPair, sub: string, name: string, nats: Record<string, unknown>, now: number, expiresAt?: number): string {
  const iat = Math.floor(now / 1000);
  const exp = expiresAt === undefined ? undefined : Math.floor(expiresAt / 1000);
  const iss = issuer.getPublicKey();
  // The id is the hash of the standard claims without it, in Go's field order, as nats-io/jwt does
  // (SHA-512/256, unpadded base32); the server uses it only to tell tokens apart.
  const base = { ...(exp !== undefined ? { exp } : {}), iat, iss, name, sub };
  const jti = base32(createHash('sha512-256').update(JSON.stringify(base)).digest());
  const claims = { ...(exp !== undefined ? { exp } : {}), jti, iat, iss, name, sub, nats };
  const head = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }))}.${b64url(JSON.stringify(claims))}`;
  return `${head}.${Buffer.from(issuer.sign(enc.encode(head))).toString('base64url')}`;
}

/** Decodes a JWT and checks its signature against its issuer; `where` names it in errors. */
export function decodeJwt(jwt: string, where: string): JwtClaims {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new Error(`${where}: not a JWT (expected three dot-separated parts)`);
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw new Error(`${where}: not a JWT (its header or claims are not base64url JSON)`);
  }
  if ((header as { alg?: unknown }).alg !== 'ed25519-nkey') throw new Error(`${where}: not a NATS v2 JWT (alg ${JSON.stringify((header as { alg?: unknown }).alg)}, expected "ed25519-nkey")`);
  const c = claims as Partial<JwtClaims>;
  if (typeof c.iss !== 'string' || typeof c.sub !== 'string' || typeof c.nats?.type !== 'string') throw new Error(`${where}: the JWT has no iss, sub or nats.type claim`);
  let ok = false;
  try {
    ok = nk.fromPublic(c.iss).verify(enc.encode(`${parts[0]}.${parts[1]}`), Buffer.from(parts[2]!, 'base64url'));
  } catch {
    ok = false;
  }
  if (!ok) throw new Error(`${where}: the JWT's signature does not verify against its issuer ${c.iss}`);
  return c as JwtClaims;
}

/** The standard .creds file: the user JWT, then its NKEY seed. */
export function formatCreds(user: Pick<Identity, 'jwt' | 'seed'>): string {
  return [
    '-----BEGIN NATS USER JWT-----',
    user.jwt,
    '------END NATS USER JWT------',
    '',
    '************************* IMPORTANT *************************',
    'NKEY Seed printed below can be used to sign and prove identity.',
    'NKEYs are sensitive and should be treated as secrets.',
    '',
    '-----BEGIN USER NKEY SEED-----',
    user.seed,
    '------END USER NKEY SEED------',
    '',
    '*************************************************************',
    '',
  ].join('\n');
}

/**
 * Reads a .creds file and checks it the way the server will: a user JWT signed by its issuer, a
 * seed that belongs to that user, not expired. `where` (the file name) starts every error.
 */
export function parseCreds(text: string, where: string, now = Date.now()): { jwt: string; seed: string; claims: JwtClaims } {
  const block = (label: RegExp) => new RegExp(`-{3,}BEGIN ${label.source}-{3,}\\s*\\n\\s*(\\S+)\\s*\\n\\s*-{3,}END ${label.source}-{3,}`).exec(text)?.[1];
  const jwt = block(/NATS USER JWT/);
  const seed = block(/USER NKEY SEED/);
  if (jwt === undefined) throw new Error(`${where}: no "-----BEGIN NATS USER JWT-----" block: not a NATS .creds file`);
  if (seed === undefined) throw new Error(`${where}: no "-----BEGIN USER NKEY SEED-----" block: not a NATS .creds file`);
  const claims = decodeJwt(jwt, `${where}: user JWT`);
  if (claims.nats.type !== 'user') throw new Error(`${where}: the JWT is of type ${JSON.stringify(claims.nats.type)}, expected a user JWT`);
  if (!claims.iss.startsWith('A')) throw new Error(`${where}: the user JWT is issued by ${claims.iss}, which is not an account key`);
  const user = fromSeed(seed, `${where}: seed`, 'SU');
  if (user.getPublicKey() !== claims.sub) throw new Error(`${where}: the seed belongs to ${user.getPublicKey()} but the JWT is for ${claims.sub}: the two blocks come from different users`);
  if (claims.exp !== undefined && claims.exp * 1000 <= now) throw new Error(`${where}: the user JWT expired at ${new Date(claims.exp * 1000).toISOString()}`);
  return { jwt, seed, claims };
}

function fromSeed(seed: string, where: string, prefix: 'SA' | 'SU'): KeyPair {
  if (!new RegExp(`^${prefix}[A-Z2-7]{56}$`).test(seed)) throw new Error(`${where}: expected an NKEY ${prefix === 'SA' ? 'account' : 'user'} seed (${prefix} followed by 56 base32 characters)`);
  try {
    return nk.fromSeed(enc.encode(seed));
  } catch (e) {
    throw new Error(`${where}: not a valid NKEY seed (${(e as Error).message})`);
  }
}

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}
