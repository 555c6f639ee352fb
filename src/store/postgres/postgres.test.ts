// The PostgreSQL store against the real server on this machine: the shared Store contract (each
// test in a fresh schema, dropped afterwards), plus partitions, horizontal ingest from two stores,
// recovery after the server drops every connection, and refusing a schema from a newer release.

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import type { ValueRow } from '../store.ts';
import { DEFAULT_RETENTION } from '../store.ts';
import { runStoreContract } from '../testing/contract.ts';
import type { PostgresStore, PostgresStoreOptions } from './index.ts';
import { PG_MIGRATIONS, openPostgresStore } from './index.ts';

const URL = 'postgres://postgres@127.0.0.1:5432/test';
const NOW = Date.UTC(2026, 5, 15);
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

let reachable: Promise<void> | undefined;
/** Fails (never skips) when the server is down, saying how to start it. */
function requirePostgres(): Promise<void> {
  reachable ??= (async () => {
    const c = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 5_000 });
    try {
      await c.connect();
      await c.end();
    } catch (err) {
      throw new Error(
        `PostgreSQL is not reachable at ${URL} (${String(err)}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
      );
    }
  })();
  return reachable;
}

const schemas: string[] = [];
function freshSchema(): string {
  const name = `ww_test_${process.pid}_${schemas.length + 1}`;
  schemas.push(name);
  return name;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

afterAll(async () => {
  if (schemas.length === 0) return;
  await requirePostgres();
  await admin(async (c) => {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  });
});

async function open(extra: Partial<PostgresStoreOptions> = {}): Promise<PostgresStore> {
  await requirePostgres();
  return openPostgresStore({ connectionString: URL, schema: freshSchema(), clock: new ManualClock(NOW), ...extra });
}

runStoreContract('postgres', async ({ clock }) => open({ clock }));
// The same contract with every batch going through COPY into the staging tables.
runStoreContract('postgres (COPY ingest)', async ({ clock }) => open({ clock, copyThreshold: 1 }));

const v = (sensorId: string, channel: string, ts: number, value: number): ValueRow => ({ sensorId, channel, ts, value });

async function partitions(schema: string, table: string): Promise<string[]> {
  return admin(async (c) => {
    const res = await c.query<{ name: string }>(
      'SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1',
      [`${schema}.${table}`],
    );
    return res.rows.map((r) => r.name);
  });
}

/** Writes a batch until it succeeds (what a caller does after a connection error), at most `tries` times. */
async function writeWithRetry(store: PostgresStore, rows: readonly ValueRow[], tries = 5): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.writeBatch(rows, []);
      return attempt;
    } catch (err) {
      if (attempt >= tries) throw err;
    }
  }
}

describe('PostgreSQL store specifics', () => {
  it('creates daily partitions on demand and drops them whole by retention', async () => {
    const store = await open();
    try {
      const day = (ts: number) => Math.floor(ts / DAY);
      await store.writeBatch([v('s1', 'v', NOW - DAY + 5 * MIN, 1), v('s1', 'v', NOW - 10 * DAY + 5 * MIN, 2)], [{ sensorId: 's1', ts: NOW - 10 * DAY, ok: true }]);
      expect(await partitions(store.schema, 'value_raw')).toEqual([`value_raw_p${day(NOW - 10 * DAY)}`, `value_raw_p${day(NOW - DAY)}`].sort());
      expect(await partitions(store.schema, 'check_raw')).toEqual([`check_raw_p${day(NOW - 10 * DAY)}`, `check_raw_p${day(NOW - DAY)}`].sort());
      // raw: the value and check 10 days old (their partitions go whole); nothing else is old enough.
      expect(await store.applyRetention(NOW, DEFAULT_RETENTION)).toBe(2);
      expect(await partitions(store.schema, 'value_raw')).toEqual([`value_raw_p${day(NOW - DAY)}`]);
      // Every partitioned table gets the batch's days, so check_raw keeps an (empty) partition too.
      expect(await partitions(store.schema, 'check_raw')).toEqual([`check_raw_p${day(NOW - DAY)}`]);
      expect(await partitions(store.schema, 'value_1m')).toHaveLength(2);
      // A partition the cutoff cuts through is trimmed, not dropped.
      expect(await store.applyRetention(NOW, { raw: 1, '1m': null, '1h': null, '1d': null })).toBe(0);
      expect(await store.applyRetention(NOW + 6 * MIN, { raw: 1, '1m': null, '1h': null, '1d': null })).toBe(1);
      expect(await partitions(store.schema, 'value_raw')).toEqual([`value_raw_p${day(NOW - DAY)}`]);
      // Writing into a day whose partition retention dropped creates it again.
      await store.writeBatch([v('s1', 'v', NOW - 10 * DAY + 7 * MIN, 3)], []);
      const raw = await store.history({ sensorId: 's1', channel: 'v', from: NOW - 11 * DAY, to: NOW, resolution: 'raw' });
      expect(raw.points.map((p) => p.avg)).toEqual([3]);
      const minutes = await store.history({ sensorId: 's1', channel: 'v', from: NOW - 11 * DAY, to: NOW, resolution: '1m' });
      expect(minutes.points.map((p) => [p.avg, p.count])).toEqual([[2, 1], [3, 1], [1, 1]]);
    } finally {
      await store.close();
    }
  });

  it('counts each row once when two stores ingest overlapping batches into the same schema at once', async () => {
    const first = await open();
    const second = await openPostgresStore({ connectionString: URL, schema: first.schema, clock: new ManualClock(NOW) });
    try {
      const sensors = Array.from({ length: 20 }, (_, i) => `sensor-${i}`);
      const batch = (round: number): ValueRow[] =>
        sensors.flatMap((s, i) => Array.from({ length: 30 }, (_, k) => v(s, 'rt', NOW - 3 * HOUR + (round * 30 + k) * MIN, i + k)));
      // Both stores write every batch, concurrently, in opposite orders.
      for (let round = 0; round < 4; round++) {
        const rows = batch(round);
        await Promise.all([first.writeBatch(rows, []), second.writeBatch([...rows].reverse(), [])]);
      }
      for (const [i, s] of sensors.entries()) {
        const hours = await second.history({ sensorId: s, channel: 'rt', from: NOW - 3 * HOUR, to: NOW - 1, resolution: '1h' });
        expect(hours.points.map((p) => p.count)).toEqual([60, 60]);
        expect(hours.points[0]).toMatchObject({ min: i, max: i + 29, avg: i + 14.5 });
      }
      const ids = await admin(async (c) => (await c.query(`SELECT count(*)::int AS n FROM ${first.schema}.series`)).rows[0] as { n: number });
      expect(ids.n).toBe(20);
      // One store's retention drops a partition the other one still believes in: its next write
      // into that day recreates the partition instead of failing.
      const old = NOW - 20 * DAY;
      await first.writeBatch([v('late', 'v', old, 1)], []);
      expect(await second.applyRetention(NOW, DEFAULT_RETENTION)).toBe(1);
      await first.writeBatch([v('late', 'v', old + MIN, 2)], []);
      const late = await second.history({ sensorId: 'late', channel: 'v', from: old - DAY, to: old + DAY, resolution: 'raw' });
      expect(late.points.map((p) => p.avg)).toEqual([2]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('rejects a batch cut off by a dropped connection and recovers when written again, without loss or double counting', async () => {
    const app = `ww_conn_${process.pid}`;
    const store = await open({ applicationName: app, poolSize: 2 });
    const terminate = async () =>
      admin(async (c) => (await c.query('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1', [app])).rows[0] as { n: number });
    try {
      await store.writeBatch([v('s1', 'v', NOW - 2 * HOUR, 1)], []);
      // Every connection of the store is cut while idle (as by a server restart).
      expect((await terminate()).n).toBeGreaterThan(0);
      const rows = Array.from({ length: 20_000 }, (_, i) => v('s1', 'v', NOW - HOUR + i, 2));
      expect(await writeWithRetry(store, rows)).toBeLessThanOrEqual(3);
      // Cut again while a large batch is in flight: it either committed whole or failed whole.
      const big = Array.from({ length: 50_000 }, (_, i) => v('s2', 'v', NOW - HOUR + i, 1));
      const inFlight = store.writeBatch(big, []).then(
        () => 'stored',
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      );
      await terminate();
      const outcome = await inFlight;
      // Which connection error the client sees depends on where the cut lands in the exchange.
      expect(outcome).toMatch(/^(stored|terminating connection due to administrator command|Connection terminated unexpectedly|write EPIPE|read ECONNRESET)$/);
      await writeWithRetry(store, big);
      await writeWithRetry(store, big);
      const s1 = await store.history({ sensorId: 's1', channel: 'v', from: NOW - 3 * HOUR, to: NOW, resolution: '1h' });
      expect(s1.points.map((p) => [p.count, p.max])).toEqual([[1, 1], [20_000, 2]]);
      const s2 = await store.history({ sensorId: 's2', channel: 'v', from: NOW - 3 * HOUR, to: NOW, resolution: '1d' });
      expect(s2.points.map((p) => p.count)).toEqual([50_000]);
    } finally {
      await store.close();
    }
  });

  it('records its migrations and refuses a schema written by a newer release', async () => {
    const store = await open();
    const schema = store.schema;
    expect(await store.schemaVersion()).toBe(PG_MIGRATIONS.length);
    await store.close();
    // Opening again applies nothing twice.
    const again = await openPostgresStore({ connectionString: URL, schema });
    expect(await again.schemaVersion()).toBe(PG_MIGRATIONS.length);
    await again.close();
    await admin((c) => c.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES (99, 'from the future')`));
    await expect(openPostgresStore({ connectionString: URL, schema })).rejects.toThrow(
      `PostgreSQL schema "${schema}": version 99 is newer than this Wardwatch supports (${PG_MIGRATIONS.length}); it was written by a newer release: upgrade Wardwatch or point it at another schema`,
    );
    await expect(openPostgresStore({ connectionString: URL, schema: 'Bad-Name' })).rejects.toThrow(
      'PostgreSQL store: schema name "Bad-Name" must match [a-z_][a-z0-9_]* (at most 63 characters)',
    );
  });
});
