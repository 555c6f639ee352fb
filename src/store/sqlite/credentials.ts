// SQLite table of the 'credentials' module: sealed secrets by name (never plaintext), and the
// key-check value that tells at start whether the key file is the one the secrets were sealed with.

import type Database from 'better-sqlite3';
import type { CredentialInfo, CredentialKind, CredentialRecord, CredentialStore } from '../../api/auth/credentials.ts';
import { migrateSqliteModule, type ModuleMigration } from './modules.ts';

const MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'sealed credentials',
    sql: `
      CREATE TABLE credentials (name TEXT PRIMARY KEY, kind TEXT NOT NULL, description TEXT, sealed TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL);
      CREATE TABLE credentials_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];

export interface CredentialRow {
  name: string;
  kind: string;
  description: string | null;
  sealed: string;
  created_at: number | string;
  updated_at: number | string;
  updated_by: string;
}

export function credentialInfoFromRow(r: Omit<CredentialRow, 'sealed'>): CredentialInfo {
  return {
    name: r.name,
    kind: r.kind as CredentialKind,
    ...(r.description !== null ? { description: r.description } : {}),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    updatedBy: r.updated_by,
  };
}

export function credentialValues(c: CredentialRecord): unknown[] {
  return [c.name, c.kind, c.description ?? null, c.sealed, c.createdAt, c.updatedAt, c.updatedBy];
}

export function openSqliteCredentialStore(db: Database.Database): CredentialStore {
  migrateSqliteModule(db, 'credentials', MIGRATIONS);
  return {
    async list() {
      return db.prepare<[], CredentialRow>('SELECT name, kind, description, created_at, updated_at, updated_by FROM credentials ORDER BY name').all().map(credentialInfoFromRow);
    },
    async get(name) {
      const r = db.prepare<[string], CredentialRow>('SELECT * FROM credentials WHERE name = ?').get(name);
      return r ? { ...credentialInfoFromRow(r), sealed: r.sealed } : undefined;
    },
    async put(c) {
      return db.transaction(() => {
        const existed = db.prepare('SELECT 1 FROM credentials WHERE name = ?').get(c.name) !== undefined;
        db.prepare(
          'INSERT INTO credentials (name, kind, description, sealed, created_at, updated_at, updated_by) VALUES (?,?,?,?,?,?,?) ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, description = excluded.description, sealed = excluded.sealed, updated_at = excluded.updated_at, updated_by = excluded.updated_by',
        ).run(...credentialValues(c));
        return existed ? ('updated' as const) : ('created' as const);
      })();
    },
    async delete(name) {
      return db.prepare('DELETE FROM credentials WHERE name = ?').run(name).changes > 0;
    },
    async keyCheck() {
      return db.prepare<[], { value: string }>("SELECT value FROM credentials_meta WHERE key = 'key-check'").get()?.value;
    },
    async setKeyCheck(sealed) {
      db.prepare("INSERT INTO credentials_meta (key, value) VALUES ('key-check', ?) ON CONFLICT (key) DO NOTHING").run(sealed);
    },
  };
}
