// PostgreSQL table of the 'credentials' module (see ../sqlite/credentials.ts).

import type { Pool } from 'pg';
import type { CredentialStore } from '../../api/auth/credentials.ts';
import { credentialInfoFromRow, credentialValues, type CredentialRow } from '../sqlite/credentials.ts';
import { migratePgModule, type ModuleMigration } from './modules.ts';

const MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'sealed credentials',
    sql: `
      CREATE TABLE credentials (name text PRIMARY KEY, kind text NOT NULL, description text, sealed text NOT NULL,
        created_at bigint NOT NULL, updated_at bigint NOT NULL, updated_by text NOT NULL);
      CREATE TABLE credentials_meta (key text PRIMARY KEY, value text NOT NULL);
    `,
  },
];

export async function openPgCredentialStore(pool: Pool, schema: string): Promise<CredentialStore> {
  await migratePgModule(pool, schema, 'credentials', MIGRATIONS);
  return {
    async list() {
      return (await pool.query<CredentialRow>('SELECT name, kind, description, created_at, updated_at, updated_by FROM credentials ORDER BY name')).rows.map(credentialInfoFromRow);
    },
    async get(name) {
      const r = (await pool.query<CredentialRow>('SELECT * FROM credentials WHERE name = $1', [name])).rows[0];
      return r ? { ...credentialInfoFromRow(r), sealed: r.sealed } : undefined;
    },
    async put(c) {
      // xmax = 0 only on a freshly inserted row: tells created from updated in one statement.
      const res = await pool.query<{ inserted: boolean }>(
        'INSERT INTO credentials (name, kind, description, sealed, created_at, updated_at, updated_by) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, description = excluded.description, sealed = excluded.sealed, updated_at = excluded.updated_at, updated_by = excluded.updated_by RETURNING (xmax = 0) AS inserted',
        credentialValues(c),
      );
      return res.rows[0]?.inserted === true ? 'created' : 'updated';
    },
    async delete(name) {
      return ((await pool.query('DELETE FROM credentials WHERE name = $1', [name])).rowCount ?? 0) > 0;
    },
    async keyCheck() {
      return (await pool.query<{ value: string }>("SELECT value FROM credentials_meta WHERE key = 'key-check'")).rows[0]?.value;
    },
    async setKeyCheck(sealed) {
      await pool.query("INSERT INTO credentials_meta (key, value) VALUES ('key-check', $1) ON CONFLICT (key) DO NOTHING", [sealed]);
    },
  };
}
