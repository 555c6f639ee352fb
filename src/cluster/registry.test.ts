// The cluster tables on both stores: the same contract, and the module migration recorded.

import pg from 'pg';
import { afterAll } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../store/postgres/index.ts';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.ts';
import { openClusterTables } from './registry.ts';
import { runClusterTablesContract } from './testing/registry-contract.ts';

const sqlite: SqliteStore[] = [];
runClusterTablesContract('SQLite', () => {
  const s = openSqliteStore({ path: ':memory:' });
  sqlite.push(s);
  return openClusterTables(s);
});

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];
const pgStores: PostgresStore[] = [];
runClusterTablesContract('PostgreSQL', async () => {
  const schema = `ww_cluster_${process.pid}_${schemas.length + 1}`;
  schemas.push(schema);
  const s = await openPostgresStore({ connectionString: PG_URL, schema });
  pgStores.push(s);
  return openClusterTables(s);
});

afterAll(async () => {
  for (const s of sqlite) await s.close();
  for (const s of pgStores) await s.close();
  if (schemas.length === 0) return;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await c.end();
  }
});
