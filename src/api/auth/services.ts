// Builds what the auth layer needs from the store the deployment runs on: the users/roles/sessions
// store, the audit trail, the credential vault under the key file, the login limiter and the LDAP
// authenticator, the audit anchor file and the trusted proxies. Also makes the one-time setup token
// while no user exists (no default password).

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { systemClock } from '../../shared/clock.ts';
import { openKeyFile, type SecretBox } from '../../shared/secret-box.ts';
import { forDialect, type AnyStore } from '../../store/open.ts';
import { openPgAuthStore } from '../../store/postgres/auth.ts';
import { openPgAuditStore } from '../../store/postgres/audit.ts';
import { openPgCredentialStore } from '../../store/postgres/credentials.ts';
import { openSqliteAuthStore } from '../../store/sqlite/auth.ts';
import { openSqliteAuditStore } from '../../store/sqlite/audit.ts';
import { openSqliteCredentialStore } from '../../store/sqlite/credentials.ts';
import { dirname, join } from 'node:path';
import { ANCHOR_FILE, fileAnchor, type AuditAnchorRecord } from '../../audit/anchor.ts';
import { createAuditTrail } from '../../audit/trail.ts';
import type { AuditTrail } from '../../audit/types.ts';
import { CredentialVault } from './credentials.ts';
import { LdapAuthenticator, type LdapOptions } from './ldap.ts';
import { LoginLimiter } from './limiter.ts';
import { trustedProxies } from './proxy.ts';
import type { AuthStore } from './types.ts';
import { DEFAULT_SCRYPT, type ScryptParams } from './passwords.ts';
import './errors.ts';

export interface AuthPolicy {
  /** A session unused this long ends (default 30 min). */
  readonly sessionIdleMs: number;
  /** A session ends this long after login whatever happens (default 12 h: one shift). */
  readonly sessionAbsoluteMs: number;
  /** Consecutive failed logins before the account locks (default 5)... */
  readonly maxFailures: number;
  /** ...for this long (default 15 min). */
  readonly lockoutMs: number;
  /** Login attempts per client address per window (default 20) and per account (default 10). */
  readonly ipAttempts: number;
  readonly accountAttempts: number;
  readonly attemptWindowMs: number;
  /** TOTP codes one step before or after the current one are accepted (default 1). */
  readonly totpDriftSteps: number;
  readonly scrypt: ScryptParams;
  /** At most this many login-attempt counters are kept in the store (default 50,000). */
  readonly attemptRows: number;
}

export const DEFAULT_POLICY: AuthPolicy = {
  sessionIdleMs: 30 * 60_000,
  sessionAbsoluteMs: 12 * 3_600_000,
  maxFailures: 5,
  lockoutMs: 15 * 60_000,
  ipAttempts: 20,
  accountAttempts: 10,
  attemptWindowMs: 60_000,
  totpDriftSteps: 1,
  scrypt: DEFAULT_SCRYPT,
  attemptRows: 50_000,
};

export interface AuditAnchorSettings {
  /** Default: audit-anchor.json in the key file's folder (outside the database, like the key). */
  readonly file?: string;
  /** 0 (default): after every append; above 0, at most once per this many ms (needs the clock's timers). */
  readonly everyMs?: number;
  /** Receives every anchor written, e.g. to send it to syslog as a second copy. */
  readonly sink?: (anchor: AuditAnchorRecord) => void;
}

export interface AuthServicesOptions {
  readonly store: AnyStore;
  /** The AES-256 key for secrets at rest; created 0600 when missing. Keep it outside the database folder's backups. */
  readonly keyFile: string;
  /** Timers are used only by a batched audit anchor (auditAnchor.everyMs > 0). */
  readonly clock?: Pick<Clock, 'now'> & Partial<Pick<Clock, 'setTimeout' | 'clearTimeout'>>;
  readonly ldap?: LdapOptions;
  /** True when the console is served over HTTPS: cookies get the Secure flag. */
  readonly secureCookie: boolean;
  readonly log?: (line: string) => void;
  readonly policy?: Partial<AuthPolicy>;
  /** Public paths besides the built-in ones (exact, or a prefix ending in "/"). */
  readonly publicPaths?: readonly string[];
  /**
   * Reverse proxies whose X-Forwarded-For is believed (addresses, CIDR ranges, or "loopback",
   * "linklocal", "uniquelocal"). Empty (default): the socket's peer is the client, whatever the header says.
   */
  readonly trustProxy?: readonly string[];
  /** Where and how often the audit chain's head is anchored outside the database; false: not at all. */
  readonly auditAnchor?: AuditAnchorSettings | false;
}

export interface AuthServices {
  readonly store: AuthStore;
  readonly audit: AuditTrail;
  readonly credentials: CredentialVault;
  readonly box: SecretBox;
  readonly clock: Pick<Clock, 'now'>;
  readonly policy: AuthPolicy;
  readonly secureCookie: boolean;
  readonly ldap?: LdapAuthenticator;
  readonly limiter: LoginLimiter;
  readonly log: (line: string) => void;
  readonly publicPaths: readonly string[];
  /** Whether an address is a trusted reverse proxy (from the trustProxy option). */
  readonly trustedProxy: (address: string) => boolean;
  /** The trustProxy option as given: the same list suits Fastify({ trustProxy }), so that req.ip agrees. */
  readonly trustProxy: readonly string[];
  /**
   * Runs changes that could remove the last administrator one at a time (in this process), so that
   * two administrators demoting each other at once cannot both succeed.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** The one-time setup token while no user exists: app.ts prints "Open https://…/setup?token=…". */
  readonly setupToken: string | undefined;
  /** Checks the setup token in constant time; it is single-use (consumeSetupToken). */
  checkSetupToken(token: string): boolean;
  consumeSetupToken(): void;
  /** Deletes sessions past their idle or absolute time (app.ts runs it every few minutes); returns how many. */
  purgeExpiredSessions(): Promise<number>;
}

export async function createAuthServices(options: AuthServicesOptions): Promise<AuthServices> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => undefined);
  const key = openKeyFile(options.keyFile);
  if (key.created) log(`created the secrets key file ${options.keyFile} (mode 0600): back it up apart from the database`);
  if (key.warning !== undefined) log(key.warning);
  const { store, audit, creds } = await forDialect(options.store, {
    sqlite: (db) => ({ store: openSqliteAuthStore(db), audit: openSqliteAuditStore(db), creds: openSqliteCredentialStore(db) }),
    postgres: async (pool, schema) => ({
      store: await openPgAuthStore(pool, schema),
      audit: await openPgAuditStore(pool, schema),
      creds: await openPgCredentialStore(pool, schema),
    }),
  });
  const trustedProxy = trustedProxies(options.trustProxy ?? []);
  const anchorOpts = options.auditAnchor === false ? undefined : (options.auditAnchor ?? {});
  const trail = createAuditTrail(audit, clock, log, anchorOpts ? { anchor: { store: fileAnchor(anchorOpts.file ?? join(dirname(options.keyFile), ANCHOR_FILE)), ...(anchorOpts.everyMs !== undefined ? { everyMs: anchorOpts.everyMs } : {}), ...(anchorOpts.sink ? { sink: anchorOpts.sink } : {}) } } : {});
  // A cut-off or rewritten trail is reported at start (and kept frozen as evidence); verify() says it again.
  await trail.checkAnchor().catch((err: unknown) => log(`audit: ${(err as Error).message}`));
  const credentials = new CredentialVault(creds, key.box, clock);
  await credentials.checkKey();
  const policy = { ...DEFAULT_POLICY, ...options.policy };
  const limiter = new LoginLimiter(store, clock, policy);
  let adminQueue: Promise<unknown> = Promise.resolve();
  let setupHash: Buffer | undefined;
  let setupToken: string | undefined;
  if ((await store.countUsers()) === 0) {
    setupToken = randomBytes(24).toString('base64url');
    setupHash = createHash('sha256').update(setupToken).digest();
  }
  return {
    store,
    audit: trail,
    credentials,
    box: key.box,
    clock,
    policy,
    secureCookie: options.secureCookie,
    ...(options.ldap ? { ldap: new LdapAuthenticator(options.ldap, (name) => credentials.reveal(name)) } : {}),
    limiter,
    log,
    publicPaths: options.publicPaths ?? [],
    trustedProxy,
    trustProxy: options.trustProxy ?? [],
    exclusive<T>(fn: () => Promise<T>): Promise<T> {
      const p = adminQueue.then(fn);
      adminQueue = p.catch(() => undefined);
      return p;
    },
    get setupToken() {
      return setupToken;
    },
    checkSetupToken(token: string): boolean {
      if (setupHash === undefined) return false;
      return timingSafeEqual(createHash('sha256').update(token).digest(), setupHash);
    },
    consumeSetupToken(): void {
      setupHash = undefined;
      setupToken = undefined;
    },
    async purgeExpiredSessions(): Promise<number> {
      const now = clock.now();
      await limiter.purge();
      return store.purgeSessions(now - policy.sessionIdleMs, now - policy.sessionAbsoluteMs);
    },
  };
}
