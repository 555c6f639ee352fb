// Runs the PauseStore contract on SQLite (in memory) and PostgreSQL (a fresh schema per test,
// dropped afterwards), plus the module's migration bookkeeping and the store picked by dialect.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPauseStore } from '../pauses.ts';
import { openSqliteStore } from '../sqlite/index.ts';
import { SqlitePauseStore } from '../sqlite/pauses.ts';
import { PostgresPauseStore } from '../postgres/pauses.ts';
import { runPauseContract } from './contract-pauses.ts';

describe('SQLite pause store', () => {
  runPauseContract(() => Promise.resolve(new SqlitePauseStore(new Database(':memory:'))));

  it('migrates once and records the module version', () => {
    const db = new Database(':memory:');
    new SqlitePauseStore(db);
    new SqlitePauseStore(db);
    expect(db.prepare("SELECT version FROM module_schema WHERE module = 'pauses'").get()).toEqual({ version: 1 });
  });

  it('keeps pauses in the deployment store across a reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ww-pauses-'));
    try {
      const first = openSqliteStore({ path: join(dir, 'w.db') });
      await (await openPauseStore(first)).put({ nodeId: 'n', until: 5, by: 'me' });
      await first.close();
      const again = openSqliteStore({ path: join(dir, 'w.db') });
      expect(await (await openPauseStore(again)).list()).toEqual([{ nodeId: 'n', until: 5, by: 'me' }]);
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL pause store', () => {
  const URL = 'postgres://postgres@127.0.0.1:5432/test';
  const prefix = `ww_pauses_${process.pid}`;
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

  runPauseContract(async () => {
    const schema = `${prefix}_${++n}`;
    const admin = new pg.Pool({ connectionString: URL, max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const pool = new pg.Pool({ connectionString: URL, max: 2, options: `-c search_path=${schema}` });
    pools.push(pool);
    return PostgresPauseStore.open(pool, schema);
  });
});
