// Retention: deletes raw rows and rollup buckets past their resolution's retention, in small
// transactions that yield to the event loop in between, so that clearing months of data never
// holds the write lock (or the process) for long. The writer's batches interleave freely.

import type Database from 'better-sqlite3';
import type { Resolution, Retention } from '../store.ts';
import { RESOLUTION_MS, RESOLUTIONS } from '../store.ts';
import { CHECK_TABLES, VALUE_TABLES } from './schema.ts';

const DAY_MS = 86_400_000;

export interface RetentionChunking {
  /** Most rows deleted by one transaction. */
  readonly rows: number;
  /** Most series (or sensors) visited by one transaction, so that sweeping many empty series also yields. */
  readonly keys: number;
}

export const DEFAULT_CHUNKING: RetentionChunking = { rows: 5_000, keys: 2_000 };

interface Sweep {
  readonly keys: Database.Statement<[], number>;
  /** The time of the (offset + 1)-th oldest row of a key below the limit, if there are that many. */
  readonly nth: Database.Statement<[number, number, number], number>;
  /** Deletes a key's rows whose time is below the bound. */
  readonly below: Database.Statement<[number, number]>;
  /** Deletes a key's rows whose time is at or below the bound. */
  readonly upTo: Database.Statement<[number, number]>;
}

export class SqliteRetention {
  readonly #db: Database.Database;
  readonly #chunking: RetentionChunking;
  readonly #sweeps: ReadonlyMap<string, Sweep>;

  constructor(db: Database.Database, chunking: RetentionChunking = DEFAULT_CHUNKING) {
    this.#db = db;
    this.#chunking = chunking;
    const seriesKeys = db.prepare<[], number>('SELECT id FROM series ORDER BY id').pluck();
    const sensorKeys = db.prepare<[], number>('SELECT id FROM sensor ORDER BY id').pluck();
    const sweeps = new Map<string, Sweep>();
    for (const r of RESOLUTIONS) {
      const time = r === 'raw' ? 'ts' : 'bucket';
      sweeps.set(VALUE_TABLES[r], { keys: seriesKeys, ...chunkDelete(db, VALUE_TABLES[r], 'series_id', time) });
      sweeps.set(CHECK_TABLES[r], { keys: sensorKeys, ...chunkDelete(db, CHECK_TABLES[r], 'sensor_ref', time) });
    }
    this.#sweeps = sweeps;
  }

  /** Deletes everything past retention at `now`; returns the number of rows deleted. */
  async apply(now: number, retention: Retention): Promise<number> {
    let deleted = 0;
    for (const r of RESOLUTIONS) {
      const days = retention[r];
      if (days === null) continue;
      const limit = timeLimit(now - days * DAY_MS, r);
      for (const table of [VALUE_TABLES[r], CHECK_TABLES[r]]) {
        const sweep = this.#sweeps.get(table);
        // A store closed while retention runs ends it quietly: what is left goes next time.
        if (sweep !== undefined && this.#db.open) deleted += await this.#sweep(sweep, limit);
      }
    }
    return deleted;
  }

  async #sweep(sweep: Sweep, limit: number): Promise<number> {
    const keys = sweep.keys.all();
    const { rows: maxRows, keys: maxKeys } = this.#chunking;
    let i = 0;
    let total = 0;
    const step = this.#db.transaction((): number => {
      let rows = 0;
      let visited = 0;
      while (i < keys.length && rows < maxRows && visited < maxKeys) {
        const budget = maxRows - rows;
        const key = keys[i] as number;
        // Bounding by the time of the budget-th oldest row deletes at most `budget` rows (the primary
        // key makes times unique per key); a plain range below `limit` when fewer are left.
        const nth = sweep.nth.get(key, limit, budget - 1);
        const n = (nth === undefined ? sweep.below.run(key, limit) : sweep.upTo.run(key, nth)).changes;
        rows += n;
        visited += 1;
        // Fewer than asked for means this key has nothing old left.
        if (n < budget) i += 1;
      }
      return rows;
    });
    while (i < keys.length && this.#db.open) {
      total += step.immediate();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return total;
  }
}

/**
 * Rows whose time column is below the returned value are past retention: a raw row older than the
 * cutoff, or a rollup bucket that ends at or before it (a bucket straddling the cutoff is kept whole).
 */
export function timeLimit(cutoff: number, r: Resolution): number {
  return r === 'raw' ? cutoff : cutoff - RESOLUTION_MS[r] + 1;
}

function chunkDelete(db: Database.Database, table: string, key: string, time: string): Omit<Sweep, 'keys'> {
  // SQLite builds usually lack DELETE ... LIMIT. Each statement walks the primary key index.
  return {
    nth: db.prepare<[number, number, number], number>(`SELECT ${time} FROM ${table} WHERE ${key} = ? AND ${time} < ? ORDER BY ${time} LIMIT 1 OFFSET ?`).pluck(),
    below: db.prepare(`DELETE FROM ${table} WHERE ${key} = ? AND ${time} < ?`),
    upTo: db.prepare(`DELETE FROM ${table} WHERE ${key} = ? AND ${time} <= ?`),
  };
}
