// SQLite tables of the 'auth' module: users and their role assignments, roles, sessions (hashed
// ids) and API tokens (hashed secrets). The row mapping is shared with the PostgreSQL store.

import type Database from 'better-sqlite3';
import type { Grant } from '../../api/access.ts';
import type { AuthStore, LoginWindow, Role, RoleAssignment, SessionRecord, TokenRecord, TokenScope, UserRecord } from '../../api/auth/types.ts';
import { BUILTIN_ROLES } from '../../api/auth/types.ts';
import { migrateSqliteModule, type ModuleMigration } from './modules.ts';

const MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'users, roles, sessions, tokens',
    sql: `
      CREATE TABLE auth_users (
        id TEXT PRIMARY KEY, login TEXT NOT NULL, name TEXT NOT NULL, method TEXT NOT NULL,
        password_hash TEXT, totp_secret TEXT, totp_enabled INTEGER NOT NULL DEFAULT 0, totp_last_step INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0, failed_logins INTEGER NOT NULL DEFAULT 0, locked_until INTEGER,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE UNIQUE INDEX auth_users_login ON auth_users (lower(login));
      CREATE TABLE auth_roles (id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT, admin INTEGER NOT NULL, grants TEXT NOT NULL, builtin INTEGER NOT NULL);
      CREATE UNIQUE INDEX auth_roles_name ON auth_roles (lower(name));
      CREATE TABLE auth_user_roles (user_id TEXT NOT NULL, role_id TEXT NOT NULL, node_id TEXT NOT NULL, source TEXT NOT NULL,
        PRIMARY KEY (user_id, role_id, node_id, source));
      CREATE TABLE auth_sessions (id_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, csrf_token TEXT NOT NULL, method TEXT NOT NULL,
        created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, ip TEXT);
      CREATE INDEX auth_sessions_user ON auth_sessions (user_id);
      CREATE TABLE auth_tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,
        scope TEXT NOT NULL, expires_at INTEGER, created_at INTEGER NOT NULL, last_used_at INTEGER);
    `,
  },
  {
    version: 2,
    name: 'login attempt windows',
    sql: `
      CREATE TABLE auth_login_windows (key TEXT PRIMARY KEY, window_start INTEGER NOT NULL, count INTEGER NOT NULL);
      CREATE INDEX auth_login_windows_start ON auth_login_windows (window_start);
    `,
  },
];

/** The upsert of one attempt, the same text in both dialects but for the placeholders. */
export function loginWindowUpsert(p: (i: number) => string): string {
  // Parameters: key, now, windowMs, windowMs (twice: SQLite's "?" cannot be repeated).
  const expired = (i: number) => `excluded.window_start - auth_login_windows.window_start >= ${p(i)}`;
  return `INSERT INTO auth_login_windows (key, window_start, count) VALUES (${p(1)}, ${p(2)}, 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN ${expired(3)} THEN 1 ELSE auth_login_windows.count + 1 END,
      window_start = CASE WHEN ${expired(4)} THEN excluded.window_start ELSE auth_login_windows.window_start END
    RETURNING count, window_start`;
}

export interface UserRow {
  id: string;
  login: string;
  name: string;
  method: string;
  password_hash: string | null;
  totp_secret: string | null;
  totp_enabled: number | boolean;
  totp_last_step: number | string;
  disabled: number | boolean;
  failed_logins: number;
  locked_until: number | string | null;
  created_at: number | string;
  updated_at: number | string;
}

export interface RoleRow {
  id: string;
  name: string;
  description: string | null;
  admin: number | boolean;
  grants: string;
  builtin: number | boolean;
}

export interface SessionRow {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  method: string;
  created_at: number | string;
  last_seen_at: number | string;
  ip: string | null;
}

export interface TokenRow {
  id: string;
  name: string;
  secret_hash: string;
  user_id: string;
  scope: string;
  expires_at: number | string | null;
  created_at: number | string;
  last_used_at: number | string | null;
}

export interface AssignmentRow {
  user_id: string;
  role_id: string;
  node_id: string;
  source: string;
}

const num = (v: number | string): number => Number(v);

export function userFromRow(r: UserRow, roles: readonly RoleAssignment[]): UserRecord {
  return {
    id: r.id,
    login: r.login,
    name: r.name,
    method: r.method === 'ldap' ? 'ldap' : 'password',
    ...(r.password_hash !== null ? { passwordHash: r.password_hash } : {}),
    ...(r.totp_secret !== null ? { totpSecretSealed: r.totp_secret } : {}),
    totpEnabled: Boolean(r.totp_enabled),
    totpLastStep: num(r.totp_last_step),
    disabled: Boolean(r.disabled),
    failedLogins: r.failed_logins,
    ...(r.locked_until !== null ? { lockedUntil: num(r.locked_until) } : {}),
    roles,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

export function assignmentFromRow(r: AssignmentRow): RoleAssignment {
  return { roleId: r.role_id, ...(r.node_id !== '*' ? { nodeId: r.node_id } : {}), source: r.source === 'ldap' ? 'ldap' : 'manual' };
}

export function roleFromRow(r: RoleRow): Role {
  return {
    id: r.id,
    name: r.name,
    ...(r.description !== null ? { description: r.description } : {}),
    admin: Boolean(r.admin),
    grants: JSON.parse(r.grants) as Grant[],
    builtin: Boolean(r.builtin),
  };
}

export function sessionFromRow(r: SessionRow): SessionRecord {
  return {
    idHash: r.id_hash,
    userId: r.user_id,
    csrfToken: r.csrf_token,
    method: r.method === 'ldap' ? 'ldap' : 'password',
    createdAt: num(r.created_at),
    lastSeenAt: num(r.last_seen_at),
    ...(r.ip !== null ? { ip: r.ip } : {}),
  };
}

export function tokenFromRow(r: TokenRow): TokenRecord {
  return {
    id: r.id,
    name: r.name,
    secretHash: r.secret_hash,
    userId: r.user_id,
    scope: JSON.parse(r.scope) as TokenScope,
    ...(r.expires_at !== null ? { expiresAt: num(r.expires_at) } : {}),
    createdAt: num(r.created_at),
    ...(r.last_used_at !== null ? { lastUsedAt: num(r.last_used_at) } : {}),
  };
}

/** The user's columns in insert order (shared by both dialects). */
export function userValues(u: UserRecord): unknown[] {
  return [u.id, u.login, u.name, u.method, u.passwordHash ?? null, u.totpSecretSealed ?? null, u.totpEnabled ? 1 : 0, u.totpLastStep, u.disabled ? 1 : 0, u.failedLogins, u.lockedUntil ?? null, u.createdAt, u.updatedAt];
}

export const BUILTIN_ROLE_LIST: readonly Role[] = Object.values(BUILTIN_ROLES).map((r) => ({ ...r, grants: [...r.grants], builtin: true }));

class SqliteAuthStore implements AuthStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async countUsers(): Promise<number> {
    return this.#db.prepare<[], { n: number }>('SELECT count(*) AS n FROM auth_users').get()?.n ?? 0;
  }

  #writeRoles(u: UserRecord): void {
    this.#db.prepare('DELETE FROM auth_user_roles WHERE user_id = ?').run(u.id);
    const ins = this.#db.prepare('INSERT OR IGNORE INTO auth_user_roles (user_id, role_id, node_id, source) VALUES (?, ?, ?, ?)');
    for (const a of u.roles) ins.run(u.id, a.roleId, a.nodeId ?? '*', a.source);
  }

  async createUser(u: UserRecord): Promise<void> {
    this.#db.transaction(() => {
      this.#db
        .prepare('INSERT INTO auth_users (id, login, name, method, password_hash, totp_secret, totp_enabled, totp_last_step, disabled, failed_logins, locked_until, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)')
        .run(...userValues(u));
      this.#writeRoles(u);
    })();
  }

  async updateUser(u: UserRecord): Promise<boolean> {
    return this.#db.transaction(() => {
      const v = userValues(u);
      const res = this.#db
        .prepare('UPDATE auth_users SET login = ?, name = ?, method = ?, password_hash = ?, totp_secret = ?, totp_enabled = ?, totp_last_step = ?, disabled = ?, failed_logins = ?, locked_until = ?, created_at = ?, updated_at = ? WHERE id = ?')
        .run(...v.slice(1), u.id);
      if (res.changes === 0) return false;
      this.#writeRoles(u);
      return true;
    })();
  }

  async deleteUser(id: string): Promise<boolean> {
    return this.#db.transaction(() => {
      for (const t of ['auth_user_roles', 'auth_sessions', 'auth_tokens']) this.#db.prepare(`DELETE FROM ${t} WHERE user_id = ?`).run(id);
      return this.#db.prepare('DELETE FROM auth_users WHERE id = ?').run(id).changes > 0;
    })();
  }

  #roleAssignments(ids: readonly string[]): Map<string, RoleAssignment[]> {
    const out = new Map<string, RoleAssignment[]>();
    const rows = ids.length === 1 ? this.#db.prepare<[string], AssignmentRow>('SELECT * FROM auth_user_roles WHERE user_id = ?').all(ids[0] ?? '') : this.#db.prepare<[], AssignmentRow>('SELECT * FROM auth_user_roles').all();
    for (const r of rows) {
      const list = out.get(r.user_id) ?? [];
      list.push(assignmentFromRow(r));
      out.set(r.user_id, list);
    }
    return out;
  }

  #one(row: UserRow | undefined): UserRecord | undefined {
    return row ? userFromRow(row, this.#roleAssignments([row.id]).get(row.id) ?? []) : undefined;
  }

  async user(id: string): Promise<UserRecord | undefined> {
    return this.#one(this.#db.prepare<[string], UserRow>('SELECT * FROM auth_users WHERE id = ?').get(id));
  }

  async userByLogin(login: string): Promise<UserRecord | undefined> {
    return this.#one(this.#db.prepare<[string], UserRow>('SELECT * FROM auth_users WHERE lower(login) = lower(?)').get(login));
  }

  async users(): Promise<UserRecord[]> {
    const roles = this.#roleAssignments([]);
    return this.#db
      .prepare<[], UserRow>('SELECT * FROM auth_users ORDER BY lower(login)')
      .all()
      .map((r) => userFromRow(r, roles.get(r.id) ?? []));
  }

  async recordFailedLogin(userId: string, lockUntil: (failures: number) => number | undefined): Promise<{ failures: number; lockedUntil?: number }> {
    return this.#db.transaction(() => {
      const row = this.#db.prepare<[string], { failed_logins: number }>('UPDATE auth_users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins').get(userId);
      const failures = row?.failed_logins ?? 0;
      const until = lockUntil(failures);
      if (until !== undefined) this.#db.prepare('UPDATE auth_users SET locked_until = ? WHERE id = ?').run(until, userId);
      return { failures, ...(until !== undefined ? { lockedUntil: until } : {}) };
    })();
  }

  async clearFailedLogins(userId: string): Promise<void> {
    this.#db.prepare('UPDATE auth_users SET failed_logins = 0, locked_until = NULL WHERE id = ?').run(userId);
  }

  async useTotpStep(userId: string, step: number): Promise<boolean> {
    return this.#db.prepare('UPDATE auth_users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?').run(step, userId, step).changes > 0;
  }

  async roles(): Promise<Role[]> {
    return this.#db.prepare<[], RoleRow>('SELECT * FROM auth_roles ORDER BY builtin DESC, lower(name)').all().map(roleFromRow);
  }

  async role(id: string): Promise<Role | undefined> {
    const r = this.#db.prepare<[string], RoleRow>('SELECT * FROM auth_roles WHERE id = ?').get(id);
    return r ? roleFromRow(r) : undefined;
  }

  async createRole(r: Role): Promise<void> {
    this.#db.prepare('INSERT INTO auth_roles (id, name, description, admin, grants, builtin) VALUES (?, ?, ?, ?, ?, ?)').run(r.id, r.name, r.description ?? null, r.admin ? 1 : 0, JSON.stringify(r.grants), r.builtin ? 1 : 0);
  }

  async updateRole(r: Role): Promise<boolean> {
    return this.#db.prepare('UPDATE auth_roles SET name = ?, description = ?, admin = ?, grants = ? WHERE id = ?').run(r.name, r.description ?? null, r.admin ? 1 : 0, JSON.stringify(r.grants), r.id).changes > 0;
  }

  async deleteRole(id: string): Promise<boolean> {
    return this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM auth_user_roles WHERE role_id = ?').run(id);
      return this.#db.prepare('DELETE FROM auth_roles WHERE id = ?').run(id).changes > 0;
    })();
  }

  async createSession(s: SessionRecord): Promise<void> {
    this.#db.prepare('INSERT INTO auth_sessions (id_hash, user_id, csrf_token, method, created_at, last_seen_at, ip) VALUES (?, ?, ?, ?, ?, ?, ?)').run(s.idHash, s.userId, s.csrfToken, s.method, s.createdAt, s.lastSeenAt, s.ip ?? null);
  }

  async session(idHash: string): Promise<SessionRecord | undefined> {
    const r = this.#db.prepare<[string], SessionRow>('SELECT * FROM auth_sessions WHERE id_hash = ?').get(idHash);
    return r ? sessionFromRow(r) : undefined;
  }

  async touchSession(idHash: string, at: number): Promise<void> {
    this.#db.prepare('UPDATE auth_sessions SET last_seen_at = ? WHERE id_hash = ?').run(at, idHash);
  }

  async deleteSession(idHash: string): Promise<void> {
    this.#db.prepare('DELETE FROM auth_sessions WHERE id_hash = ?').run(idHash);
  }

  async deleteUserSessions(userId: string): Promise<number> {
    return this.#db.prepare('DELETE FROM auth_sessions WHERE user_id = ?').run(userId).changes;
  }

  async purgeSessions(idleBefore: number, createdBefore: number): Promise<number> {
    return this.#db.prepare('DELETE FROM auth_sessions WHERE last_seen_at < ? OR created_at < ?').run(idleBefore, createdBefore).changes;
  }

  async createToken(t: TokenRecord): Promise<void> {
    this.#db
      .prepare('INSERT INTO auth_tokens (id, name, secret_hash, user_id, scope, expires_at, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(t.id, t.name, t.secretHash, t.userId, JSON.stringify(t.scope), t.expiresAt ?? null, t.createdAt, t.lastUsedAt ?? null);
  }

  async tokens(): Promise<TokenRecord[]> {
    return this.#db.prepare<[], TokenRow>('SELECT * FROM auth_tokens ORDER BY created_at, id').all().map(tokenFromRow);
  }

  async token(id: string): Promise<TokenRecord | undefined> {
    const r = this.#db.prepare<[string], TokenRow>('SELECT * FROM auth_tokens WHERE id = ?').get(id);
    return r ? tokenFromRow(r) : undefined;
  }

  async tokenBySecretHash(hash: string): Promise<TokenRecord | undefined> {
    const r = this.#db.prepare<[string], TokenRow>('SELECT * FROM auth_tokens WHERE secret_hash = ?').get(hash);
    return r ? tokenFromRow(r) : undefined;
  }

  async touchToken(id: string, at: number): Promise<void> {
    this.#db.prepare('UPDATE auth_tokens SET last_used_at = ? WHERE id = ?').run(at, id);
  }

  async deleteToken(id: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM auth_tokens WHERE id = ?').run(id).changes > 0;
  }

  async hitLoginWindow(key: string, now: number, windowMs: number, maxRows: number): Promise<LoginWindow> {
    const hit = this.#db.transaction((): LoginWindow => {
      const row = this.#db.prepare<[string, number, number, number], { count: number; window_start: number }>(loginWindowUpsert(() => '?')).get(key, now, windowMs, windowMs);
      const out = { count: row?.count ?? 1, windowStart: row?.window_start ?? now };
      // Only a new key can push the table over its bound.
      if (out.count === 1) {
        const n = this.#db.prepare<[], { n: number }>('SELECT count(*) AS n FROM auth_login_windows').get()?.n ?? 0;
        if (n > maxRows) {
          this.#db.prepare('DELETE FROM auth_login_windows WHERE window_start <= ?').run(now - windowMs);
          const left = this.#db.prepare<[], { n: number }>('SELECT count(*) AS n FROM auth_login_windows').get()?.n ?? 0;
          if (left > maxRows) this.#db.prepare('DELETE FROM auth_login_windows WHERE key IN (SELECT key FROM auth_login_windows WHERE key <> ? ORDER BY window_start, key LIMIT ?)').run(key, left - maxRows);
        }
      }
      return out;
    });
    return hit.immediate();
  }

  async purgeLoginWindows(startedBefore: number): Promise<number> {
    return this.#db.prepare('DELETE FROM auth_login_windows WHERE window_start < ?').run(startedBefore).changes;
  }
}

export function openSqliteAuthStore(db: Database.Database): AuthStore {
  migrateSqliteModule(db, 'auth', MIGRATIONS);
  const ins = db.prepare('INSERT OR IGNORE INTO auth_roles (id, name, description, admin, grants, builtin) VALUES (?, ?, NULL, ?, ?, 1)');
  for (const r of BUILTIN_ROLE_LIST) ins.run(r.id, r.name, r.admin ? 1 : 0, JSON.stringify(r.grants));
  return new SqliteAuthStore(db);
}
