// The PostgreSQL side of per-module schemas (see ../sqlite/modules.ts): a module's migrations run
// in one transaction under an advisory lock, so several core processes starting together migrate once.

import type { Pool } from 'pg';
import type { ModuleMigration } from '../sqlite/modules.ts';
import { checkOrder } from '../sqlite/modules.ts';

export type { ModuleMigration } from '../sqlite/modules.ts';

export async function migratePgModule(pool: Pool, schema: string, module: string, migrations: readonly ModuleMigration[]): Promise<number> {
  checkOrder(module, migrations);
  const latest = migrations.length;
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`wardwatch:migrate:${schema}:${module}`]);
    await client.query(`SET LOCAL search_path TO ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS module_schema (module text PRIMARY KEY, version integer NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())');
    const res = await client.query<{ version: number }>('SELECT version FROM module_schema WHERE module = $1', [module]);
    const current = res.rows[0]?.version ?? 0;
    if (current > latest) {
      throw new Error(`the ${module} tables in schema "${schema}" are at version ${current}, newer than this Wardwatch supports (${latest}): upgrade Wardwatch`);
    }
    for (const m of migrations.slice(current)) await client.query(m.sql);
    if (current !== latest) {
      await client.query(
        'INSERT INTO module_schema (module, version) VALUES ($1, $2) ON CONFLICT (module) DO UPDATE SET version = excluded.version, updated_at = now()',
        [module, latest],
      );
    }
    await client.query('COMMIT');
    return latest;
  } catch (err) {
    failed = err instanceof Error ? err : new Error(String(err));
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release(failed);
  }
}
