// History reads: a series' points at the resolution that fits the range (or a forced one), a
// sensor's availability summed over the finest retained resolution, and the channels it has.
// Ranges are inclusive at both ends; rollup buckets are included when they start within the range
// or contain its start.

import type Database from 'better-sqlite3';
import type { AvailabilityResult, HistoryPoint, HistoryQuery, HistoryResult, Resolution, Retention } from '../store.ts';
import { RESOLUTION_MS, RESOLUTIONS, pickResolution } from '../store.ts';
import type { SeriesIds } from './ids.ts';
import { CHECK_TABLES, VALUE_TABLES } from './schema.ts';

/** Points asked for when a query does not say: about one per pixel of a wide chart. */
export const DEFAULT_MAX_POINTS = 1000;

type Row = [number, number, number, number, number];

export class SqliteQueries {
  readonly #ids: SeriesIds;
  readonly #now: () => number;
  readonly #retention: Retention;
  readonly #history: Readonly<Record<Resolution, Database.Statement<[number, number, number], Row>>>;
  readonly #availability: Readonly<Record<Resolution, Database.Statement<[number, number, number], [number | null, number | null]>>>;
  readonly #channels: Database.Statement<[string], string>;

  constructor(db: Database.Database, ids: SeriesIds, now: () => number, retention: Retention) {
    this.#ids = ids;
    this.#now = now;
    this.#retention = retention;
    const history = (r: Resolution): Database.Statement<[number, number, number], Row> =>
      (r === 'raw'
        ? db.prepare('SELECT ts, value, value, value, 1 FROM value_raw WHERE series_id = ? AND ts BETWEEN ? AND ? ORDER BY ts')
        : db.prepare(`SELECT bucket, vmin, vsum, vmax, n FROM ${VALUE_TABLES[r]} WHERE series_id = ? AND bucket BETWEEN ? AND ? ORDER BY bucket`)
      ).raw(true) as Database.Statement<[number, number, number], Row>;
    const availability = (r: Resolution): Database.Statement<[number, number, number], [number | null, number | null]> =>
      (r === 'raw'
        ? db.prepare('SELECT sum(ok), count(*) FROM check_raw WHERE sensor_ref = ? AND ts BETWEEN ? AND ?')
        : db.prepare(`SELECT sum(ok), sum(total) FROM ${CHECK_TABLES[r]} WHERE sensor_ref = ? AND bucket BETWEEN ? AND ?`)
      ).raw(true) as Database.Statement<[number, number, number], [number | null, number | null]>;
    this.#history = byResolution(history);
    this.#availability = byResolution(availability);
    this.#channels = db
      .prepare<[string], string>('SELECT channel FROM series WHERE sensor_ref = (SELECT id FROM sensor WHERE name = ?) ORDER BY channel')
      .pluck();
  }

  history(q: HistoryQuery): HistoryResult {
    const resolution = q.resolution ?? pickResolution(q.from, q.to, q.maxPoints ?? DEFAULT_MAX_POINTS, this.#now(), this.#retention);
    const id = this.#ids.findSeries(q.sensorId, q.channel);
    if (id === undefined || q.to < q.from) return { resolution, points: [] };
    const rows = this.#history[resolution].all(id, alignedStart(q.from, resolution), q.to);
    const points: HistoryPoint[] = new Array<HistoryPoint>(rows.length);
    rows.forEach(([ts, min, sumOrValue, max, count], i) => {
      points[i] = { ts, min, avg: resolution === 'raw' ? sumOrValue : sumOrValue / count, max, count };
    });
    return { resolution, points };
  }

  availability(sensorId: string, from: number, to: number): AvailabilityResult {
    // The finest resolution still retained over the whole range: exact where data allows, and
    // a one-year range still reads only ~9k hourly rows per sensor.
    const resolution = pickResolution(from, to, Number.POSITIVE_INFINITY, this.#now(), this.#retention);
    const id = this.#ids.findSensor(sensorId);
    if (id === undefined || to < from) return { resolution, availability: null, checks: 0 };
    const row = this.#availability[resolution].get(id, alignedStart(from, resolution), to);
    const ok = row?.[0] ?? 0;
    const total = row?.[1] ?? 0;
    return { resolution, availability: total > 0 ? ok / total : null, checks: total };
  }

  channelsOf(sensorId: string): string[] {
    return this.#channels.all(sensorId);
  }
}

/** The start of the bucket that contains `from`, so that a range starting mid-bucket still sees it. */
function alignedStart(from: number, r: Resolution): number {
  const size = RESOLUTION_MS[r];
  return size === 0 ? from : Math.floor(from / size) * size;
}

function byResolution<T>(make: (r: Resolution) => T): Readonly<Record<Resolution, T>> {
  const out = {} as Record<Resolution, T>;
  for (const r of RESOLUTIONS) out[r] = make(r);
  return out;
}
