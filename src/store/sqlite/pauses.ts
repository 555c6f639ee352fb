// Timed pauses in SQLite (module 'pauses'): one row per paused node; see ../pauses.ts.

import type Database from 'better-sqlite3';
import type { PauseStore, TimedPause } from '../pauses.ts';
import { migrateSqliteModule, type ModuleMigration } from './modules.ts';

export const SQLITE_PAUSE_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'timed pauses',
    sql: 'CREATE TABLE timed_pause (node_id TEXT PRIMARY KEY, until INTEGER NOT NULL, by_name TEXT NOT NULL, note TEXT)',
  },
];

export interface PauseRow {
  node_id: string;
  until: number | string;
  by_name: string;
  note: string | null;
}

export function fromPauseRow(r: PauseRow): TimedPause {
  return { nodeId: r.node_id, until: Number(r.until), by: r.by_name, ...(r.note !== null ? { note: r.note } : {}) };
}

export class SqlitePauseStore implements PauseStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    migrateSqliteModule(db, 'pauses', SQLITE_PAUSE_MIGRATIONS);
    this.#db = db;
  }

  async put(p: TimedPause): Promise<void> {
    this.#db
      .prepare('INSERT INTO timed_pause (node_id, until, by_name, note) VALUES (?, ?, ?, ?) ON CONFLICT (node_id) DO UPDATE SET until = excluded.until, by_name = excluded.by_name, note = excluded.note')
      .run(p.nodeId, p.until, p.by, p.note ?? null);
  }

  async remove(nodeId: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM timed_pause WHERE node_id = ?').run(nodeId).changes > 0;
  }

  async list(): Promise<TimedPause[]> {
    return this.#db.prepare<[], PauseRow>('SELECT node_id, until, by_name, note FROM timed_pause ORDER BY until, node_id').all().map(fromPauseRow);
  }
}
