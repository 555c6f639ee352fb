// Runs the PauseStore contract on SQLite (in memory) and PostgreSQL (a fresh schema per test,
// dropped afterwards), plus the module's migration bookkeeping and the store picked by dialect.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openPauseStore } from '../pauses.ts';
import { openSqliteStore } from '../sqlite/index.ts';
import { SqlitePauseStore } from '../sqlite/pauses.ts';
import { PostgresPauseStore } from '../postgres/pauses.ts';
import { runPauseContract } from './contract-pauses.ts';
import { freshPgSchemas } from './pg-schemas.ts';

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
  const freshSchema = freshPgSchemas('ww_pauses', 2);
  runPauseContract(async () => {
    const { pool, schema } = await freshSchema();
    return PostgresPauseStore.open(pool, schema);
  });
});
