// Store benchmark for PostgreSQL, the same workload as bench/store.ts: values/s written with rollups
// (batches of 10,000 values from 10,000 series plus 1,000 checks), a year of one-a-minute values
// backfilled, one-year history queries, and retention. Uses a throw-away schema, dropped at the end.
// Run: node --import tsx bench/store-postgres.ts   (needs PostgreSQL at 127.0.0.1:5432, database test)

import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres/index.ts';
import type { CheckRow, ValueRow } from '../src/store/store.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const END = Date.UTC(2026, 5, 15);
const SENSORS = 1_000;
const CHANNELS = 10;
const BATCHES = 60;
export const DEFAULT_BENCH_URL = 'postgres://postgres@127.0.0.1:5432/test';

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Each batch is one minute of 1,000 sensors x 10 channels, plus their checks. */
async function liveWrites(store: PostgresStore): Promise<{ batchMs: number[]; steady: number[]; steadyTotal: number }> {
  const start = END - BATCHES * MIN;
  const batchMs: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const ts = start + b * MIN;
    const values: ValueRow[] = [];
    const checks: CheckRow[] = [];
    for (let s = 0; s < SENSORS; s++) {
      checks.push({ sensorId: `sensor-${s}`, ts, ok: s % 50 !== 0 });
      for (let c = 0; c < CHANNELS; c++) values.push({ sensorId: `sensor-${s}`, channel: `ch${c}`, ts, value: (s * c + b) % 997 });
    }
    const t0 = performance.now();
    await store.writeBatch(values, checks);
    batchMs.push(performance.now() - t0);
  }
  // The first batches create the 10,000 series ids and the partitions; steady state is what the engine sees.
  const steady = batchMs.slice(5);
  const steadyTotal = steady.reduce((a, b) => a + b, 0);
  return { batchMs, steady, steadyTotal };
}

export async function run(connectionString: string = DEFAULT_BENCH_URL): Promise<Record<string, number | string>> {
  const schema = `ww_bench_${process.pid}`;
  const store = await openPostgresStore({ connectionString, schema, clock: { now: () => END } });
  try {
    // 1. Live writes (batches of 11,000 rows: COPY into staging tables), and the same with array parameters.
    const { batchMs, steady, steadyTotal } = await liveWrites(store);
    const arrays = await openPostgresStore({ connectionString, schema: `${schema}_arrays`, clock: { now: () => END }, copyThreshold: Number.POSITIVE_INFINITY });
    const unnest = await liveWrites(arrays).finally(() => arrays.close());

    // 2. A year of one-a-minute values for one series (525,600 rows), written in 10,000-row batches.
    const yearRows = 365 * 1440;
    const t1 = performance.now();
    for (let i = 0; i < yearRows; i += 10_000) {
      const values: ValueRow[] = [];
      for (let j = i; j < Math.min(yearRows, i + 10_000); j++) values.push({ sensorId: 'year', channel: 'responseTimeMs', ts: END - 365 * DAY + j * MIN, value: 10 + (j % 1440) / 100 });
      await store.writeBatch(values, []);
    }
    const backfillMs = performance.now() - t1;

    // 3. One-year history: the default pick (daily points) and forced hourly points.
    const q = { sensorId: 'year', channel: 'responseTimeMs', from: END - 365 * DAY, to: END };
    const timeQuery = async (extra: object): Promise<{ ms: number; points: number; resolution: string }> => {
      const times: number[] = [];
      let points = 0;
      let resolution = '';
      for (let i = 0; i < 15; i++) {
        const t = performance.now();
        const h = await store.history({ ...q, ...extra });
        times.push(performance.now() - t);
        points = h.points.length;
        resolution = h.resolution;
      }
      return { ms: median(times), points, resolution };
    };
    const daily = await timeQuery({});
    const hourly = await timeQuery({ resolution: '1h' });

    // 4. Retention over that year: raw and minute partitions past retention are dropped whole.
    const t2 = performance.now();
    const deleted = await store.applyRetention(END);
    const retentionMs = performance.now() - t2;

    return {
      'write.batchValues': SENSORS * CHANNELS,
      'write.arrays.valuesPerSec': Math.round((unnest.steady.length * SENSORS * CHANNELS) / (unnest.steadyTotal / 1000)),
      'write.arrays.batchMsP50': round(median(unnest.steady)),
      'write.batchChecks': SENSORS,
      'write.valuesPerSec': Math.round((steady.length * SENSORS * CHANNELS) / (steadyTotal / 1000)),
      'write.batchMsP50': round(median(steady)),
      'write.batchMsMax': round(Math.max(...steady)),
      'write.firstBatchMs': round(batchMs[0] ?? Number.NaN),
      'backfill.valuesPerSec': Math.round(yearRows / (backfillMs / 1000)),
      'history1y.default.resolution': daily.resolution,
      'history1y.default.points': daily.points,
      'history1y.default.ms': round(daily.ms, 2),
      'history1y.hourly.points': hourly.points,
      'history1y.hourly.ms': round(hourly.ms, 2),
      'retention.rowsDeleted': deleted,
      'retention.ms': Math.round(retentionMs),
      'machine.loadavg1m': round(loadavg()[0] ?? 0, 2),
    };
  } finally {
    await store.close();
    const c = new pg.Client({ connectionString });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_arrays CASCADE`).finally(() => c.end());
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run();
  for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(32)} ${v}`);
}
