// Runs the DeliveryStore contract on SQLite (in memory) and PostgreSQL (a fresh schema per test,
// dropped afterwards), plus the module's migration bookkeeping.

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteDeliveryStore } from '../sqlite/delivery.ts';
import { PostgresDeliveryStore } from '../postgres/delivery.ts';
import { runDeliveryContract } from './contract-delivery.ts';
import { freshPgSchemas } from './pg-schemas.ts';

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
  const freshSchema = freshPgSchemas('ww_delivery', 4);
  runDeliveryContract(async () => {
    const { pool, schema } = await freshSchema();
    return PostgresDeliveryStore.open(pool, schema);
  });
});
