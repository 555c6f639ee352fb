// History reads in PostgreSQL, with the SQLite store's semantics: ranges inclusive at both ends,
// rollup buckets included when they start within the range or contain its start, the finest
// retained resolution that fits maxPoints (default 1000), availability over the finest retained one.

import type { Pool } from 'pg';
import type { AvailabilityResult, HistoryPoint, HistoryQuery, HistoryResult, Resolution, Retention } from '../store.ts';
import { RESOLUTION_MS, pickResolution } from '../store.ts';
import type { PgSeriesIds } from './ids.ts';

export const DEFAULT_MAX_POINTS = 1000;

// bigint columns come back from pg as strings; ::float8 makes them numbers (times fit exactly).
const HISTORY_SQL: Readonly<Record<Resolution, string>> = {
  raw: 'SELECT ts::float8, value, value, value, 1 FROM value_raw WHERE series_id = $1 AND ts BETWEEN $2 AND $3 ORDER BY ts',
  '1m': 'SELECT bucket::float8, vmin, vsum, vmax, n::float8 FROM value_1m WHERE series_id = $1 AND bucket BETWEEN $2 AND $3 ORDER BY bucket',
  '1h': 'SELECT bucket::float8, vmin, vsum, vmax, n::float8 FROM value_1h WHERE series_id = $1 AND bucket BETWEEN $2 AND $3 ORDER BY bucket',
  '1d': 'SELECT bucket::float8, vmin, vsum, vmax, n::float8 FROM value_1d WHERE series_id = $1 AND bucket BETWEEN $2 AND $3 ORDER BY bucket',
};

const AVAILABILITY_SQL: Readonly<Record<Resolution, string>> = {
  raw: 'SELECT count(*) FILTER (WHERE ok)::float8, count(*)::float8 FROM check_raw WHERE sensor_ref = $1 AND ts BETWEEN $2 AND $3',
  '1m': 'SELECT sum(ok)::float8, sum(total)::float8 FROM check_1m WHERE sensor_ref = $1 AND bucket BETWEEN $2 AND $3',
  '1h': 'SELECT sum(ok)::float8, sum(total)::float8 FROM check_1h WHERE sensor_ref = $1 AND bucket BETWEEN $2 AND $3',
  '1d': 'SELECT sum(ok)::float8, sum(total)::float8 FROM check_1d WHERE sensor_ref = $1 AND bucket BETWEEN $2 AND $3',
};

type Row = [number, number, number, number, number];

export class PgQueries {
  readonly #pool: Pool;
  readonly #ids: PgSeriesIds;
  readonly #now: () => number;
  readonly #retention: Retention;

  constructor(pool: Pool, ids: PgSeriesIds, now: () => number, retention: Retention) {
    this.#pool = pool;
    this.#ids = ids;
    this.#now = now;
    this.#retention = retention;
  }

  async history(q: HistoryQuery): Promise<HistoryResult> {
    const resolution = q.resolution ?? pickResolution(q.from, q.to, q.maxPoints ?? DEFAULT_MAX_POINTS, this.#now(), this.#retention);
    const id = await this.#ids.findSeries(q.sensorId, q.channel);
    if (id === undefined || q.to < q.from) return { resolution, points: [] };
    const res = await this.#pool.query<Row>({
      name: `ww-history-${resolution}`,
      text: HISTORY_SQL[resolution],
      values: [id, alignedStart(q.from, resolution), Math.floor(q.to)],
      rowMode: 'array',
    });
    const points = res.rows.map(([ts, min, sumOrValue, max, count]): HistoryPoint => ({
      ts,
      min,
      avg: resolution === 'raw' ? sumOrValue : sumOrValue / count,
      max,
      count,
    }));
    return { resolution, points };
  }

  async availability(sensorId: string, from: number, to: number): Promise<AvailabilityResult> {
    const resolution = pickResolution(from, to, Number.POSITIVE_INFINITY, this.#now(), this.#retention);
    const id = await this.#ids.findSensor(sensorId);
    if (id === undefined || to < from) return { resolution, availability: null, checks: 0 };
    const res = await this.#pool.query<[number | null, number | null]>({
      text: AVAILABILITY_SQL[resolution],
      values: [id, alignedStart(from, resolution), Math.floor(to)],
      rowMode: 'array',
    });
    const ok = res.rows[0]?.[0] ?? 0;
    const total = res.rows[0]?.[1] ?? 0;
    return { resolution, availability: total > 0 ? ok / total : null, checks: total };
  }

  async channelsOf(sensorId: string): Promise<string[]> {
    // COLLATE "C": code-point order, as SQLite sorts, whatever the database's locale.
    const res = await this.#pool.query<{ channel: string }>(
      'SELECT channel FROM series WHERE sensor_ref = (SELECT id FROM sensor WHERE name = $1) ORDER BY channel COLLATE "C"',
      [sensorId],
    );
    return res.rows.map((r) => r.channel);
  }
}

function alignedStart(from: number, r: Resolution): number {
  const size = RESOLUTION_MS[r];
  return size === 0 ? Math.floor(from) : Math.floor(from / size) * size;
}
