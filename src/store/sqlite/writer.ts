// The hot write path: one transaction per batch of values and checks. Raw rows go in with
// multi-row INSERT OR IGNORE; the schema's triggers update the 1m/1h/1d rollups for exactly the
// rows inserted, so a re-sent batch is ignored whole and never counts twice.

import type Database from 'better-sqlite3';
import type { CheckRow, ValueRow } from '../store.ts';
import { BulkStatement } from './bulk.ts';
import type { SeriesIds } from './ids.ts';

export class SqliteWriter {
  readonly #ids: SeriesIds;
  readonly #insertValues: BulkStatement;
  readonly #insertChecks: BulkStatement;
  readonly #tx: Database.Transaction<(values: readonly ValueRow[], checks: readonly CheckRow[]) => void>;

  constructor(db: Database.Database, ids: SeriesIds) {
    this.#ids = ids;
    this.#insertValues = new BulkStatement(db, 3, (v) => `INSERT OR IGNORE INTO value_raw (series_id, ts, value) VALUES ${v}`);
    this.#insertChecks = new BulkStatement(db, 3, (v) => `INSERT OR IGNORE INTO check_raw (sensor_ref, ts, ok) VALUES ${v}`);
    this.#tx = db.transaction((values: readonly ValueRow[], checks: readonly CheckRow[]) => {
      this.#insertValues.run(this.#valueArgs(values));
      this.#insertChecks.run(this.#checkArgs(checks));
    });
  }

  writeBatch(values: readonly ValueRow[], checks: readonly CheckRow[]): void {
    if (values.length === 0 && checks.length === 0) return;
    try {
      // IMMEDIATE takes the write lock up front, so a concurrent writer waits on busy_timeout
      // instead of failing half-way with SQLITE_BUSY_SNAPSHOT.
      this.#tx.immediate(values, checks);
    } catch (err) {
      this.#ids.reset();
      throw err;
    }
  }

  #valueArgs(values: readonly ValueRow[]): number[] {
    const args: number[] = [];
    for (const v of values) {
      // NaN and ±Infinity cannot be charted or averaged; SQLite would turn NaN into NULL anyway.
      if (!Number.isFinite(v.value)) continue;
      args.push(this.#ids.series(v.sensorId, v.channel), Math.floor(v.ts), v.value);
    }
    return args;
  }

  #checkArgs(checks: readonly CheckRow[]): number[] {
    const args: number[] = [];
    for (const c of checks) args.push(this.#ids.sensor(c.sensorId), Math.floor(c.ts), c.ok ? 1 : 0);
    return args;
  }
}
