// `wardwatch migrate`: moves a SQLite data file (configuration versions, states, events, messages,
// raw history and every rollup, and the tables of the other parts) into PostgreSQL without loss.
// It reads the source read-only, writes chunk by chunk with the progress in the same transaction,
// and resumes after an interruption (Ctrl-C, kill -9, a dropped connection) where it stopped.

import { resolve } from 'node:path';
import type { Pool } from 'pg';
import type { LoadCell, PgColumn } from './postgres/load.ts';
import { PgLoad } from './postgres/load.ts';
import { openPostgresStore } from './postgres/index.ts';
import type { Cell } from './sqlite/dump.ts';
import { SqliteDump } from './sqlite/dump.ts';

export interface MigrateProgress {
  readonly table: string;
  readonly rows: number;
  readonly total: number;
  readonly elapsedMs: number;
  readonly resumed: boolean;
}

export interface MigrateOptions {
  /** The SQLite data file. */
  readonly from: string;
  /** postgres://… */
  readonly to: string;
  readonly schema?: string;
  readonly chunkRows?: number;
  readonly onProgress?: (p: MigrateProgress) => void;
  /** Stops between two chunks (what is committed stays; running again resumes). */
  readonly signal?: AbortSignal;
  /**
   * Creates the tables of the parts that keep their own (alerting, users and audit, security...)
   * in PostgreSQL before their rows are moved; app.ts's module list.
   */
  readonly prepareModules?: (pool: Pool, schema: string) => Promise<void>;
}

export interface MigrateResult {
  readonly tables: readonly { readonly table: string; readonly rows: number }[];
  readonly elapsedMs: number;
}

export class MigrateInterrupted extends Error {
  constructor(table: string) {
    super(`migration interrupted while moving ${table}; what was moved is kept: run the same command again to resume`);
  }
}

export async function migrateSqliteToPostgres(opts: MigrateOptions): Promise<MigrateResult> {
  const started = Date.now();
  const dump = new SqliteDump(resolve(opts.from));
  const target = await openPostgresStore({ connectionString: opts.to, ...(opts.schema ? { schema: opts.schema } : {}), applicationName: 'wardwatch-migrate' });
  try {
    const pool = target.connection;
    await opts.prepareModules?.(pool, target.schema);
    const load = new PgLoad(pool, target.schema);
    const source = `sqlite:${dump.path}`;
    const progress = await load.progress(source);
    const tables = dump.tables();

    // Every table must have a home in PostgreSQL: moving only part of the data is loss.
    const targetColumns = new Map<string, PgColumn[]>();
    for (const t of tables) {
      const cols = await load.columns(t.name);
      if (cols === undefined) throw new Error(`${dump.path}: table ${t.name} has no counterpart in PostgreSQL schema "${target.schema}"; nothing was moved`);
      const missing = t.columns.filter((c) => !cols.some((p) => p.name === c));
      if (missing.length > 0) throw new Error(`${dump.path}: column(s) ${missing.join(', ')} of ${t.name} have no counterpart in PostgreSQL; nothing was moved`);
      targetColumns.set(t.name, cols.filter((p) => t.columns.includes(p.name)));
    }
    // A first run goes into empty tables only: rows already there did not come from this file.
    if (progress.size === 0) {
      for (const t of tables) {
        if (await load.hasRows(t.name)) throw new Error(`PostgreSQL schema "${target.schema}" already holds rows in ${t.name}: migrate into an empty schema (--schema NAME)`);
      }
    }

    // Ids are per database: sensors and series are re-created by name and their new ids mapped.
    const sensorNames = dump.sensors();
    const seriesNames = dump.series();
    await load.ids.ensureSensors([...sensorNames.values()]);
    await load.ids.ensureSeries([...seriesNames.values()]);
    const sensorMap = (id: Cell): LoadCell => load.ids.cachedSensor(sensorNames.get(Number(id)) ?? '') ?? fail(`sensor id ${String(id)} has no name in ${dump.path}`);
    const seriesMap = (id: Cell): LoadCell => {
      const pair = seriesNames.get(Number(id));
      return (pair && load.ids.cachedSeries(pair[0], pair[1])) ?? fail(`series id ${String(id)} has no sensor/channel in ${dump.path}`);
    };

    const chunkRows = opts.chunkRows ?? 20_000;
    const done: { table: string; rows: number }[] = [];
    for (const t of tables) {
      const cols = targetColumns.get(t.name) as PgColumn[];
      const prior = progress.get(t.name);
      let rows = prior?.rows ?? 0;
      const total = dump.count(t.name);
      if (prior?.done) {
        done.push({ table: t.name, rows });
        opts.onProgress?.({ table: t.name, rows, total, elapsedMs: Date.now() - started, resumed: true });
        continue;
      }
      const order = cols.map((c) => t.columns.indexOf(c.name));
      const mappers = cols.map((c) => (c.name === 'series_id' ? seriesMap : c.name === 'sensor_ref' ? sensorMap : undefined));
      let after = prior?.lastKey as Cell[] | undefined;
      for (;;) {
        if (opts.signal?.aborted) throw new MigrateInterrupted(t.name);
        const { rows: chunk, last } = dump.chunk(t, after, chunkRows);
        const mapped = chunk.map((r) => order.map((i, j) => (mappers[j] ? (mappers[j])(r[i] ?? null) : (r[i] ?? null))));
        rows += chunk.length;
        const finished = chunk.length < chunkRows;
        await load.writeChunk(source, t.name, cols, mapped, { lastKey: last ?? after, rows, done: finished });
        opts.onProgress?.({ table: t.name, rows, total, elapsedMs: Date.now() - started, resumed: prior !== undefined });
        if (finished) break;
        after = last;
      }
      await load.resetIdentities(t.name, cols);
      done.push({ table: t.name, rows });
    }
    return { tables: done, elapsedMs: Date.now() - started };
  } finally {
    dump.close();
    await target.close();
  }
}

function fail(message: string): never {
  throw new Error(message);
}
