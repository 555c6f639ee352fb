// PostgreSQL tables of the 'auth' module (see ../sqlite/auth.ts for what they hold); the same
// contract suite runs against both.

import type { Pool, PoolClient } from 'pg';
import type { AuthStore, LoginWindow, Role, RoleAssignment, SessionRecord, TokenRecord, UserRecord } from '../../api/auth/types.ts';
import type { AssignmentRow, RoleRow, SessionRow, TokenRow, UserRow } from '../sqlite/auth.ts';
import { BUILTIN_ROLE_LIST, assignmentFromRow, loginWindowUpsert, roleFromRow, sessionFromRow, tokenFromRow, userFromRow, userValues } from '../sqlite/auth.ts';
import { migratePgModule, type ModuleMigration } from './modules.ts';

const MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'users, roles, sessions, tokens',
    sql: `
      CREATE TABLE auth_users (
        id text PRIMARY KEY, login text NOT NULL, name text NOT NULL, method text NOT NULL,
        password_hash text, totp_secret text, totp_enabled smallint NOT NULL DEFAULT 0, totp_last_step bigint NOT NULL DEFAULT 0,
        disabled smallint NOT NULL DEFAULT 0, failed_logins integer NOT NULL DEFAULT 0, locked_until bigint,
        created_at bigint NOT NULL, updated_at bigint NOT NULL);
      CREATE UNIQUE INDEX auth_users_login ON auth_users (lower(login));
      CREATE TABLE auth_roles (id text PRIMARY KEY, name text NOT NULL, description text, admin smallint NOT NULL, grants text NOT NULL, builtin smallint NOT NULL);
      CREATE UNIQUE INDEX auth_roles_name ON auth_roles (lower(name));
      CREATE TABLE auth_user_roles (user_id text NOT NULL, role_id text NOT NULL, node_id text NOT NULL, source text NOT NULL,
        PRIMARY KEY (user_id, role_id, node_id, source));
      CREATE TABLE auth_sessions (id_hash text PRIMARY KEY, user_id text NOT NULL, csrf_token text NOT NULL, method text NOT NULL,
        created_at bigint NOT NULL, last_seen_at bigint NOT NULL, ip text);
      CREATE INDEX auth_sessions_user ON auth_sessions (user_id);
      CREATE TABLE auth_tokens (id text PRIMARY KEY, name text NOT NULL, secret_hash text NOT NULL UNIQUE, user_id text NOT NULL,
        scope text NOT NULL, expires_at bigint, created_at bigint NOT NULL, last_used_at bigint);
    `,
  },
  {
    version: 2,
    name: 'login attempt windows',
    sql: `
      CREATE TABLE auth_login_windows (key text PRIMARY KEY, window_start bigint NOT NULL, count integer NOT NULL);
      CREATE INDEX auth_login_windows_start ON auth_login_windows (window_start);
    `,
  },
];

async function tx<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let failed: Error | undefined;
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    failed = err instanceof Error ? err : new Error(String(err));
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release(failed);
  }
}

class PgAuthStore implements AuthStore {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async countUsers(): Promise<number> {
    const r = await this.#pool.query<{ n: string }>('SELECT count(*) AS n FROM auth_users');
    return Number(r.rows[0]?.n ?? 0);
  }

  async #writeRoles(c: PoolClient, u: UserRecord): Promise<void> {
    await c.query('DELETE FROM auth_user_roles WHERE user_id = $1', [u.id]);
    for (const a of u.roles) {
      await c.query('INSERT INTO auth_user_roles (user_id, role_id, node_id, source) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [u.id, a.roleId, a.nodeId ?? '*', a.source]);
    }
  }

  async createUser(u: UserRecord): Promise<void> {
    await tx(this.#pool, async (c) => {
      await c.query(
        'INSERT INTO auth_users (id, login, name, method, password_hash, totp_secret, totp_enabled, totp_last_step, disabled, failed_logins, locked_until, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)',
        userValues(u),
      );
      await this.#writeRoles(c, u);
    });
  }

  async updateUser(u: UserRecord): Promise<boolean> {
    return tx(this.#pool, async (c) => {
      const v = userValues(u);
      const res = await c.query(
        'UPDATE auth_users SET login = $2, name = $3, method = $4, password_hash = $5, totp_secret = $6, totp_enabled = $7, totp_last_step = $8, disabled = $9, failed_logins = $10, locked_until = $11, created_at = $12, updated_at = $13 WHERE id = $1',
        v,
      );
      if (res.rowCount === 0) return false;
      await this.#writeRoles(c, u);
      return true;
    });
  }

  async deleteUser(id: string): Promise<boolean> {
    return tx(this.#pool, async (c) => {
      for (const t of ['auth_user_roles', 'auth_sessions', 'auth_tokens']) await c.query(`DELETE FROM ${t} WHERE user_id = $1`, [id]);
      return ((await c.query('DELETE FROM auth_users WHERE id = $1', [id])).rowCount ?? 0) > 0;
    });
  }

  async #assignments(userId?: string): Promise<Map<string, RoleAssignment[]>> {
    const res = userId === undefined ? await this.#pool.query<AssignmentRow>('SELECT * FROM auth_user_roles') : await this.#pool.query<AssignmentRow>('SELECT * FROM auth_user_roles WHERE user_id = $1', [userId]);
    const out = new Map<string, RoleAssignment[]>();
    for (const r of res.rows) {
      const list = out.get(r.user_id) ?? [];
      list.push(assignmentFromRow(r));
      out.set(r.user_id, list);
    }
    return out;
  }

  async #one(row: UserRow | undefined): Promise<UserRecord | undefined> {
    return row ? userFromRow(row, (await this.#assignments(row.id)).get(row.id) ?? []) : undefined;
  }

  async user(id: string): Promise<UserRecord | undefined> {
    return this.#one((await this.#pool.query<UserRow>('SELECT * FROM auth_users WHERE id = $1', [id])).rows[0]);
  }

  async userByLogin(login: string): Promise<UserRecord | undefined> {
    return this.#one((await this.#pool.query<UserRow>('SELECT * FROM auth_users WHERE lower(login) = lower($1)', [login])).rows[0]);
  }

  async users(): Promise<UserRecord[]> {
    const roles = await this.#assignments();
    const res = await this.#pool.query<UserRow>('SELECT * FROM auth_users ORDER BY lower(login)');
    return res.rows.map((r) => userFromRow(r, roles.get(r.id) ?? []));
  }

  async recordFailedLogin(userId: string, lockUntil: (failures: number) => number | undefined): Promise<{ failures: number; lockedUntil?: number }> {
    return tx(this.#pool, async (c) => {
      const res = await c.query<{ failed_logins: number }>('UPDATE auth_users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins', [userId]);
      const failures = res.rows[0]?.failed_logins ?? 0;
      const until = lockUntil(failures);
      if (until !== undefined) await c.query('UPDATE auth_users SET locked_until = $2 WHERE id = $1', [userId, until]);
      return { failures, ...(until !== undefined ? { lockedUntil: until } : {}) };
    });
  }

  async clearFailedLogins(userId: string): Promise<void> {
    await this.#pool.query('UPDATE auth_users SET failed_logins = 0, locked_until = NULL WHERE id = $1', [userId]);
  }

  async useTotpStep(userId: string, step: number): Promise<boolean> {
    const res = await this.#pool.query('UPDATE auth_users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2', [userId, step]);
    return (res.rowCount ?? 0) > 0;
  }

  async roles(): Promise<Role[]> {
    return (await this.#pool.query<RoleRow>('SELECT * FROM auth_roles ORDER BY builtin DESC, lower(name)')).rows.map(roleFromRow);
  }

  async role(id: string): Promise<Role | undefined> {
    const r = (await this.#pool.query<RoleRow>('SELECT * FROM auth_roles WHERE id = $1', [id])).rows[0];
    return r ? roleFromRow(r) : undefined;
  }

  async createRole(r: Role): Promise<void> {
    await this.#pool.query('INSERT INTO auth_roles (id, name, description, admin, grants, builtin) VALUES ($1, $2, $3, $4, $5, $6)', [r.id, r.name, r.description ?? null, r.admin ? 1 : 0, JSON.stringify(r.grants), r.builtin ? 1 : 0]);
  }

  async updateRole(r: Role): Promise<boolean> {
    const res = await this.#pool.query('UPDATE auth_roles SET name = $2, description = $3, admin = $4, grants = $5 WHERE id = $1', [r.id, r.name, r.description ?? null, r.admin ? 1 : 0, JSON.stringify(r.grants)]);
    return (res.rowCount ?? 0) > 0;
  }

  async deleteRole(id: string): Promise<boolean> {
    return tx(this.#pool, async (c) => {
      await c.query('DELETE FROM auth_user_roles WHERE role_id = $1', [id]);
      return ((await c.query('DELETE FROM auth_roles WHERE id = $1', [id])).rowCount ?? 0) > 0;
    });
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.#pool.query('INSERT INTO auth_sessions (id_hash, user_id, csrf_token, method, created_at, last_seen_at, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      s.idHash,
      s.userId,
      s.csrfToken,
      s.method,
      s.createdAt,
      s.lastSeenAt,
      s.ip ?? null,
    ]);
  }

  async session(idHash: string): Promise<SessionRecord | undefined> {
    const r = (await this.#pool.query<SessionRow>('SELECT * FROM auth_sessions WHERE id_hash = $1', [idHash])).rows[0];
    return r ? sessionFromRow(r) : undefined;
  }

  async touchSession(idHash: string, at: number): Promise<void> {
    await this.#pool.query('UPDATE auth_sessions SET last_seen_at = $2 WHERE id_hash = $1', [idHash, at]);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.#pool.query('DELETE FROM auth_sessions WHERE id_hash = $1', [idHash]);
  }

  async deleteUserSessions(userId: string): Promise<number> {
    return (await this.#pool.query('DELETE FROM auth_sessions WHERE user_id = $1', [userId])).rowCount ?? 0;
  }

  async purgeSessions(idleBefore: number, createdBefore: number): Promise<number> {
    return (await this.#pool.query('DELETE FROM auth_sessions WHERE last_seen_at < $1 OR created_at < $2', [idleBefore, createdBefore])).rowCount ?? 0;
  }

  async createToken(t: TokenRecord): Promise<void> {
    await this.#pool.query('INSERT INTO auth_tokens (id, name, secret_hash, user_id, scope, expires_at, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      t.id,
      t.name,
      t.secretHash,
      t.userId,
      JSON.stringify(t.scope),
      t.expiresAt ?? null,
      t.createdAt,
      t.lastUsedAt ?? null,
    ]);
  }

  async tokens(): Promise<TokenRecord[]> {
    return (await this.#pool.query<TokenRow>('SELECT * FROM auth_tokens ORDER BY created_at, id')).rows.map(tokenFromRow);
  }

  async token(id: string): Promise<TokenRecord | undefined> {
    const r = (await this.#pool.query<TokenRow>('SELECT * FROM auth_tokens WHERE id = $1', [id])).rows[0];
    return r ? tokenFromRow(r) : undefined;
  }

  async tokenBySecretHash(hash: string): Promise<TokenRecord | undefined> {
    const r = (await this.#pool.query<TokenRow>('SELECT * FROM auth_tokens WHERE secret_hash = $1', [hash])).rows[0];
    return r ? tokenFromRow(r) : undefined;
  }

  async touchToken(id: string, at: number): Promise<void> {
    await this.#pool.query('UPDATE auth_tokens SET last_used_at = $2 WHERE id = $1', [id, at]);
  }

  async deleteToken(id: string): Promise<boolean> {
    return ((await this.#pool.query('DELETE FROM auth_tokens WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async hitLoginWindow(key: string, now: number, windowMs: number, maxRows: number): Promise<LoginWindow> {
    // The upsert is atomic per key on its own; the bound is kept in the same transaction.
    return tx(this.#pool, async (c) => {
      const row = (await c.query<{ count: number; window_start: string }>(loginWindowUpsert((i) => `$${i}`), [key, now, windowMs, windowMs])).rows[0];
      const out = { count: row?.count ?? 1, windowStart: Number(row?.window_start ?? now) };
      if (out.count === 1) {
        const n = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM auth_login_windows')).rows[0]?.n ?? 0);
        if (n > maxRows) {
          await c.query('DELETE FROM auth_login_windows WHERE window_start <= $1', [now - windowMs]);
          const left = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM auth_login_windows')).rows[0]?.n ?? 0);
          if (left > maxRows) await c.query('DELETE FROM auth_login_windows WHERE key IN (SELECT key FROM auth_login_windows WHERE key <> $1 ORDER BY window_start, key LIMIT $2)', [key, left - maxRows]);
        }
      }
      return out;
    });
  }

  async purgeLoginWindows(startedBefore: number): Promise<number> {
    return (await this.#pool.query('DELETE FROM auth_login_windows WHERE window_start < $1', [startedBefore])).rowCount ?? 0;
  }
}

export async function openPgAuthStore(pool: Pool, schema: string): Promise<AuthStore> {
  await migratePgModule(pool, schema, 'auth', MIGRATIONS);
  for (const r of BUILTIN_ROLE_LIST) {
    await pool.query('INSERT INTO auth_roles (id, name, description, admin, grants, builtin) VALUES ($1, $2, NULL, $3, $4, 1) ON CONFLICT (id) DO NOTHING', [r.id, r.name, r.admin ? 1 : 0, JSON.stringify(r.grants)]);
  }
  return new PgAuthStore(pool);
}
