// Runs the DeliveryStore contract on SQLite (in memory) and PostgreSQL (a fresh schema per test,
// dropped afterwards), plus the module's migration bookkeeping.

import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteDeliveryStore } from '../sqlite/delivery.ts';
import { PostgresDeliveryStore } from '../postgres/delivery.ts';
import { runDeliveryContract } from './contract-delivery.ts';

describe('SQLite delivery store', () => {
  runDeliveryContract(() => Promise.resolve(new SqliteDeliveryStore(new Database(':memory:'))));

  it('migrates once and records the module version', () => {
    const db = new Database(':memory:');
    new SqliteDeliveryStore(db);
    new SqliteDeliveryStore(db);
    expect(db.prepare("SELECT version FROM module_schema WHERE module = 'delivery'").get()).toEqual({ version: 1 });
  });
});

describe('PostgreSQL delivery store', () => {
  const URL = 'postgres://postgres@127.0.0.1:5432/test';
  const prefix = `ww_delivery_${process.pid}`;
  const pools: pg.Pool[] = [];
  let n = 0;

  afterAll(async () => {
    const admin = new pg.Pool({ connectionString: URL, max: 1 });
    try {
      const res = await admin.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${prefix}_%`]);
      for (const r of res.rows) await admin.query(`DROP SCHEMA IF EXISTS ${r.nspname} CASCADE`);
    } finally {
      await admin.end();
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  runDeliveryContract(async () => {
    const schema = `${prefix}_${++n}`;
    const admin = new pg.Pool({ connectionString: URL, max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const pool = new pg.Pool({ connectionString: URL, max: 4, options: `-c search_path=${schema}` });
    pools.push(pool);
    return PostgresDeliveryStore.open(pool, schema);
  });
});
