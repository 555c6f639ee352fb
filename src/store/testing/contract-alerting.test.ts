// Runs the AlertStore contract on both dialects: SQLite in memory (through the store's own
// connection) and the PostgreSQL server (opened through openAlertStore, as the app does) on this machine (one fresh schema per test, dropped after).

import pg from 'pg';
import { afterAll } from 'vitest';
import { openPgAlertStore } from '../postgres/alerting.ts';
import { openPostgresStore } from '../postgres/index.ts';
import { openSqliteAlertStore } from '../sqlite/alerting.ts';
import { openSqliteStore } from '../sqlite/index.ts';
import { openAlertStore } from '../../alerting/store.ts';
import { runAlertStoreContract } from './contract-alerting.ts';

const URL = 'postgres://postgres@127.0.0.1:5432/test';

runAlertStoreContract('sqlite', async () => {
  const store = openSqliteStore({ path: ':memory:' });
  return { store: await openAlertStore(store), reopen: async () => openSqliteAlertStore(store.connection), close: () => store.close() };
});

const schemas: string[] = [];
afterAll(async () => {
  if (schemas.length === 0) return;
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await c.end();
  }
});

runAlertStoreContract('postgres', async () => {
  const schema = `ww_alerting_${process.pid}_${schemas.length + 1}`;
  schemas.push(schema);
  const store = await openPostgresStore({ connectionString: URL, schema }).catch((err: unknown) => {
    throw new Error(`PostgreSQL is not reachable at ${URL} (${String(err)}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`);
  });
  return {
    store: await openAlertStore(store),
    reopen: () => openPgAlertStore(store.connection, store.schema),
    close: () => store.close(),
  };
});
