// Timed pauses in PostgreSQL (module 'pauses'): the same rows as the SQLite store; see ../pauses.ts.

import type { Pool } from 'pg';
import type { PauseStore, TimedPause } from '../pauses.ts';
import { fromPauseRow, type PauseRow } from '../sqlite/pauses.ts';
import { migratePgModule, type ModuleMigration } from './modules.ts';

export const PG_PAUSE_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'timed pauses',
    sql: 'CREATE TABLE timed_pause (node_id text PRIMARY KEY, until bigint NOT NULL, by_name text NOT NULL, note text)',
  },
];

export class PostgresPauseStore implements PauseStore {
  readonly #pool: Pool;

  private constructor(pool: Pool) {
    this.#pool = pool;
  }

  static async open(pool: Pool, schema: string): Promise<PostgresPauseStore> {
    await migratePgModule(pool, schema, 'pauses', PG_PAUSE_MIGRATIONS);
    return new PostgresPauseStore(pool);
  }

  async put(p: TimedPause): Promise<void> {
    await this.#pool.query(
      'INSERT INTO timed_pause (node_id, until, by_name, note) VALUES ($1, $2, $3, $4) ON CONFLICT (node_id) DO UPDATE SET until = excluded.until, by_name = excluded.by_name, note = excluded.note',
      [p.nodeId, p.until, p.by, p.note ?? null],
    );
  }

  async remove(nodeId: string): Promise<boolean> {
    const res = await this.#pool.query('DELETE FROM timed_pause WHERE node_id = $1', [nodeId]);
    return (res.rowCount ?? 0) > 0;
  }

  async list(): Promise<TimedPause[]> {
    const res = await this.#pool.query<PauseRow>('SELECT node_id, until, by_name, note FROM timed_pause ORDER BY until, node_id');
    return res.rows.map(fromPauseRow);
  }
}
