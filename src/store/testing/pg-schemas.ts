// PostgreSQL for the per-module store tests: the server on this machine, one fresh schema per
// store (so the contract's tests never see each other's rows), all dropped when the suite ends.

import pg from 'pg';
import { afterAll } from 'vitest';

export const PG_TEST_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface FreshSchema {
  readonly schema: string;
  /** A pool whose search_path is the schema; ended by the suite's afterAll. */
  readonly pool: pg.Pool;
}

/**
 * Call inside a describe: returns a function that creates `<prefix>_<pid>_<n>` and a pool on it.
 * `poolSize` is the pool's max connections (what the module's store needs at the most).
 */
export function freshPgSchemas(prefix: string, poolSize: number): () => Promise<FreshSchema> {
  // the pid keeps parallel test files (and runs) out of each other's schemas
  const base = `${prefix}_${process.pid}`;
  const schemas: string[] = [];
  const pools: pg.Pool[] = [];

  afterAll(async () => {
    // only the schemas made here, by name: a LIKE on the prefix would also match another run's
    // (`_` is a wildcard, so ww_x_12_% takes in ww_x_123_1)
    const admin = new pg.Pool({ connectionString: PG_TEST_URL, max: 1 });
    try {
      for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    } finally {
      await admin.end();
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  return async () => {
    const schema = `${base}_${schemas.length + 1}`;
    schemas.push(schema);
    const admin = new pg.Pool({ connectionString: PG_TEST_URL, max: 1 });
    try {
      await admin.query(`CREATE SCHEMA ${schema}`);
    } finally {
      await admin.end();
    }
    const pool = new pg.Pool({ connectionString: PG_TEST_URL, max: poolSize, options: `-c search_path=${schema}` });
    pools.push(pool);
    return { schema, pool };
  };
}
