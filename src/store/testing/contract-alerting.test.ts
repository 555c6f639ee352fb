// Runs the AlertStore contract on both dialects: SQLite in memory (through the store's own
// connection) and the PostgreSQL server (opened through openAlertStore, as the app does) on this machine (one fresh schema per test, dropped after).

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPgAlertStore } from '../postgres/alerting.ts';
import { openPostgresStore } from '../postgres/index.ts';
import { openSqliteAlertStore } from '../sqlite/alerting.ts';
import { openSqliteStore } from '../sqlite/index.ts';
import { openAlertStore } from '../../alerting/store.ts';
import { runAlertStoreContract, terminateLeaseHolder } from './contract-alerting.ts';

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

describe('alerting leader lease', () => {
  it('SQLite: one process owns the file, so its lease is always held', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    try {
      const a = openSqliteAlertStore(store.connection);
      expect(await a.lease().acquire()).toBe(true);
      expect(await a.lease().acquire()).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL: one holder at a time; a killed lease connection reports the loss and frees the lease', async () => {
    const schema = `ww_alerting_lease_${process.pid}`;
    schemas.push(schema);
    const store = await openPostgresStore({ connectionString: URL, schema });
    const alerts = await openPgAlertStore(store.connection, store.schema);
    const first = alerts.lease();
    const second = alerts.lease();
    try {
      expect(await first.acquire()).toBe(true);
      expect(await first.acquire()).toBe(true);
      expect(await second.acquire()).toBe(false);
      const lost = new Promise<string>((resolve) => first.onLost(resolve));
      expect(await terminateLeaseHolder(store.connection, store.schema)).toBe(1);
      expect(await lost).toMatch(/^lease connection (failed|closed)/);
      expect(await second.acquire()).toBe(true);
      expect(await first.acquire()).toBe(false);
      await second.release();
      expect(await first.acquire()).toBe(true);
    } finally {
      await first.release();
      await second.release();
      await store.close();
    }
  });
});
