// The hot write path: a whole batch of values and checks is ONE statement (hence one transaction):
// raw rows go in from unnest() arrays with ON CONFLICT DO NOTHING, and the 1m/1h/1d rollups are
// upserted from exactly the rows the INSERT returned, so a re-sent batch never counts twice.

import type { Pool } from 'pg';
import { copyIn } from './copy.ts';
import type { CheckRow, ValueRow } from '../store.ts';
import type { PgSeriesIds } from './ids.ts';
import type { Partitions } from './partitions.ts';

const SIZES = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 } as const;

/** The start of the bucket holding `ts` (correct for negative times too). */
function bucket(ts: string, size: number): string {
  return `(${ts} - ((${ts} % ${size}) + ${size}) % ${size})`;
}

function valueRollup(r: keyof typeof SIZES): string {
  const t = `value_${r}`;
  // ORDER BY: concurrent writers lock rollup rows in the same order, so they wait, not deadlock.
  return `v${r} AS (INSERT INTO ${t} (series_id, bucket, vmin, vmax, vsum, n)
    SELECT series_id, ${bucket('ts', SIZES[r])}, min(value), max(value), sum(value), count(*) FROM iv GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (series_id, bucket) DO UPDATE SET vmin = LEAST(${t}.vmin, excluded.vmin), vmax = GREATEST(${t}.vmax, excluded.vmax),
      vsum = ${t}.vsum + excluded.vsum, n = ${t}.n + excluded.n)`;
}

function checkRollup(r: keyof typeof SIZES): string {
  const t = `check_${r}`;
  return `c${r} AS (INSERT INTO ${t} (sensor_ref, bucket, ok, total)
    SELECT sensor_ref, ${bucket('ts', SIZES[r])}, count(*) FILTER (WHERE ok), count(*) FROM ic GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (sensor_ref, bucket) DO UPDATE SET ok = ${t}.ok + excluded.ok, total = ${t}.total + excluded.total)`;
}

// DISTINCT ON keeps the first of rows repeated inside one batch (first write wins, as across batches)
// and sorts the rows by key, which is the order the primary key index wants them in. The rows come
// either from unnest() over array parameters (small batches) or from staging tables filled by COPY.
function writeSql(valuesFrom: string, checksFrom: string): string {
  return `WITH
  v AS (SELECT DISTINCT ON (s, t) s, t, x FROM ${valuesFrom} ORDER BY s, t, o),
  iv AS (INSERT INTO value_raw (series_id, ts, value) SELECT s, t, x FROM v ON CONFLICT DO NOTHING RETURNING series_id, ts, value),
  ${valueRollup('1m')}, ${valueRollup('1h')}, ${valueRollup('1d')},
  c AS (SELECT DISTINCT ON (s, t) s, t, k FROM ${checksFrom} ORDER BY s, t, o),
  ic AS (INSERT INTO check_raw (sensor_ref, ts, ok) SELECT s, t, k FROM c ON CONFLICT DO NOTHING RETURNING sensor_ref, ts, ok),
  ${checkRollup('1m')}, ${checkRollup('1h')}, ${checkRollup('1d')}
SELECT (SELECT count(*) FROM iv)::float8 AS values, (SELECT count(*) FROM ic)::float8 AS checks`;
}

const WRITE_SQL = writeSql(
  'unnest($1::int[], $2::bigint[], $3::float8[]) WITH ORDINALITY AS u(s, t, x, o)',
  'unnest($4::int[], $5::bigint[], $6::bool[]) WITH ORDINALITY AS u(s, t, k, o)',
);

// Temporary tables live per connection; ON COMMIT DELETE ROWS empties them at the end of each batch.
const STAGE_SQL = `CREATE TEMP TABLE IF NOT EXISTS ww_stage_values (s integer, t bigint, x float8, o integer) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS ww_stage_checks (s integer, t bigint, k boolean, o integer) ON COMMIT DELETE ROWS;`;
const WRITE_STAGED_SQL = writeSql('pg_temp.ww_stage_values', 'pg_temp.ww_stage_checks');

/** Batches with at least this many rows go in by COPY into staging tables; smaller ones as array parameters. */
export const COPY_THRESHOLD = 2_000;

/** How often a batch is tried again after a deadlock or a partition dropped under it. */
const MAX_ATTEMPTS = 3;

export class PgWriter {
  readonly #pool: Pool;
  readonly #ids: PgSeriesIds;
  readonly #partitions: Partitions;

  readonly #copyThreshold: number;

  constructor(pool: Pool, ids: PgSeriesIds, partitions: Partitions, copyThreshold = COPY_THRESHOLD) {
    this.#pool = pool;
    this.#ids = ids;
    this.#partitions = partitions;
    this.#copyThreshold = copyThreshold;
  }

  /** One transaction: COPY the rows into the staging tables, then the same upsert as for small batches. */
  async #writeStaged(args: readonly (readonly (number | string | boolean)[])[]): Promise<{ values: number; checks: number }> {
    const [vs, vt, vx, cs, ct, ck] = args as [number[], string[], number[], number[], string[], boolean[]];
    const client = await this.#pool.connect();
    let failed: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query(STAGE_SQL);
      await copyIn(client, 'COPY pg_temp.ww_stage_values (s, t, x, o) FROM STDIN', vs.length, (i) => `${vs[i]}\t${vt[i]}\t${vx[i]}\t${i}\n`);
      await copyIn(client, 'COPY pg_temp.ww_stage_checks (s, t, k, o) FROM STDIN', cs.length, (i) => `${cs[i]}\t${ct[i]}\t${ck[i] ? 't' : 'f'}\t${i}\n`);
      const res = await client.query<{ values: number; checks: number }>(WRITE_STAGED_SQL);
      await client.query('COMMIT');
      return res.rows[0] ?? { values: 0, checks: 0 };
    } catch (err) {
      failed = err instanceof Error ? err : new Error(String(err));
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(failed);
    }
  }

  /** Rejects on a connection error (the batch is then not stored at all: one statement, one transaction). */
  async writeBatch(values: readonly ValueRow[], checks: readonly CheckRow[]): Promise<{ values: number; checks: number }> {
    // NaN and ±Infinity cannot be charted or averaged; the SQLite store skips them too.
    const finite = values.filter((v) => Number.isFinite(v.value));
    if (finite.length === 0 && checks.length === 0) return { values: 0, checks: 0 };
    await this.#ids.ensureSeries(finite.map((v) => [v.sensorId, v.channel] as const));
    await this.#ids.ensureSensors(checks.map((c) => c.sensorId));
    const args = [
      finite.map((v) => this.#ids.cachedSeries(v.sensorId, v.channel) as number),
      finite.map((v) => String(Math.floor(v.ts))),
      finite.map((v) => v.value),
      checks.map((c) => this.#ids.cachedSensor(c.sensorId) as number),
      checks.map((c) => String(Math.floor(c.ts))),
      checks.map((c) => c.ok),
    ];
    const times = function* (): Generator<number> {
      for (const v of finite) yield Math.floor(v.ts);
      for (const c of checks) yield Math.floor(c.ts);
    };
    for (let attempt = 1; ; attempt++) {
      await this.#partitions.ensure(times());
      try {
        if (finite.length + checks.length >= this.#copyThreshold) return await this.#writeStaged(args);
        const res = await this.#pool.query<{ values: number; checks: number }>(WRITE_SQL, args);
        return res.rows[0] ?? { values: 0, checks: 0 };
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !retriable(err)) throw err;
        // Another process's retention may have dropped a partition this one thought it had.
        this.#partitions.forget();
      }
    }
  }
}

/** Errors after which the same batch can simply run again: nothing of it was stored. */
function retriable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (code === '40P01' || code === '40001') return true;
  return code === '23514' && err instanceof Error && err.message.includes('no partition of relation');
}
