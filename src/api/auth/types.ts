// The records of access control (users, roles, sessions, API tokens) and the store role that keeps
// them. The SQLite and PostgreSQL implementations live in src/store/<dialect>/auth.ts and pass the
// same contract (src/store/testing/contract-auth.ts).

import type { AccessLevel, Grant } from '../access.ts';

export const BUILTIN_ROLES = {
  administrator: { id: 'administrator', name: 'Administrator', admin: true, grants: [{ nodeId: '*', level: 'full' }] },
  operator: { id: 'operator', name: 'Operator', admin: false, grants: [{ nodeId: '*', level: 'acknowledge' }] },
  'read-only': { id: 'read-only', name: 'Read-only', admin: false, grants: [{ nodeId: '*', level: 'read' }] },
} as const satisfies Record<string, { id: string; name: string; admin: boolean; grants: readonly Grant[] }>;

export interface Role {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  /** Administers users, roles, tokens, credentials, settings, audit. */
  readonly admin: boolean;
  readonly grants: readonly Grant[];
  readonly builtin: boolean;
}

/**
 * A role given to a user. On the whole tree (no nodeId) the role's grants apply as written; on a
 * subtree its whole-tree grant ('*') applies at that node and its node-specific grants and admin
 * flag do not, so a subtree assignment can never reach outside the subtree.
 */
export interface RoleAssignment {
  readonly roleId: string;
  readonly nodeId?: string;
  /** 'ldap' assignments come from group mappings and are replaced at every LDAP login. */
  readonly source: 'manual' | 'ldap';
}

export type AuthMethod = 'password' | 'ldap';

export interface UserRecord {
  readonly id: string;
  readonly login: string;
  readonly name: string;
  readonly method: AuthMethod;
  /** scrypt hash (see passwords.ts); undefined for LDAP users. */
  readonly passwordHash?: string;
  /** TOTP secret sealed with the secret box; set once enrolment is confirmed or pending. */
  readonly totpSecretSealed?: string;
  readonly totpEnabled: boolean;
  /** Highest TOTP time step accepted so far: a code is never accepted twice. */
  readonly totpLastStep: number;
  readonly disabled: boolean;
  readonly failedLogins: number;
  readonly lockedUntil?: number;
  readonly roles: readonly RoleAssignment[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What the API shows of a user: never hashes or secrets. */
export interface UserView {
  readonly id: string;
  readonly login: string;
  readonly name: string;
  readonly method: AuthMethod;
  readonly admin: boolean;
  readonly totp: boolean;
  readonly disabled: boolean;
  readonly roles: readonly RoleAssignment[];
  readonly lockedUntil?: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface SessionRecord {
  /** SHA-256 of the cookie value (hex): the store never holds a usable session id. */
  readonly idHash: string;
  readonly userId: string;
  readonly csrfToken: string;
  readonly method: AuthMethod;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly ip?: string;
}

/** An API token's scope: a role, or explicit grants (never admin through grants alone). */
export type TokenScope = { readonly roleId: string } | { readonly grants: readonly Grant[] };

export interface TokenRecord {
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the secret (hex). */
  readonly secretHash: string;
  readonly userId: string;
  readonly scope: TokenScope;
  readonly expiresAt?: number;
  readonly createdAt: number;
  readonly lastUsedAt?: number;
}

export type TokenView = Omit<TokenRecord, 'secretHash'>;

export interface AuthStore {
  countUsers(): Promise<number>;
  createUser(u: UserRecord): Promise<void>;
  /** Replaces the whole record (roles included); false when the id is unknown. */
  updateUser(u: UserRecord): Promise<boolean>;
  deleteUser(id: string): Promise<boolean>;
  user(id: string): Promise<UserRecord | undefined>;
  userByLogin(login: string): Promise<UserRecord | undefined>;
  users(): Promise<UserRecord[]>;
  /** Atomically records a failed login and returns the new count; sets lockedUntil when given. */
  recordFailedLogin(userId: string, lockUntil: (failures: number) => number | undefined): Promise<{ failures: number; lockedUntil?: number }>;
  clearFailedLogins(userId: string): Promise<void>;
  /** Accepts a TOTP step only if it is above the last one used (atomic; false means replay). */
  useTotpStep(userId: string, step: number): Promise<boolean>;

  roles(): Promise<Role[]>;
  role(id: string): Promise<Role | undefined>;
  createRole(r: Role): Promise<void>;
  updateRole(r: Role): Promise<boolean>;
  deleteRole(id: string): Promise<boolean>;

  createSession(s: SessionRecord): Promise<void>;
  session(idHash: string): Promise<SessionRecord | undefined>;
  touchSession(idHash: string, at: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  deleteUserSessions(userId: string): Promise<number>;
  /** Removes sessions last seen before idleBefore or created before createdBefore. */
  purgeSessions(idleBefore: number, createdBefore: number): Promise<number>;

  createToken(t: TokenRecord): Promise<void>;
  tokens(): Promise<TokenRecord[]>;
  token(id: string): Promise<TokenRecord | undefined>;
  tokenBySecretHash(hash: string): Promise<TokenRecord | undefined>;
  touchToken(id: string, at: number): Promise<void>;
  deleteToken(id: string): Promise<boolean>;

  /**
   * Counts one login attempt under `key` ("ip:…", "account:…") in a fixed window of `windowMs`
   * starting at the key's first attempt (atomic). Keeps at most `maxRows` keys: expired windows go
   * first, then the oldest ones. Returns the count in the current window and when it started.
   */
  hitLoginWindow(key: string, now: number, windowMs: number, maxRows: number): Promise<LoginWindow>;
  /** Removes windows that started before `startedBefore`; returns how many. */
  purgeLoginWindows(startedBefore: number): Promise<number>;
}

export interface LoginWindow {
  readonly count: number;
  readonly windowStart: number;
}

export type { AccessLevel, Grant };
