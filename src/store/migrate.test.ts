// `wardwatch migrate` from a real SQLite file into the real PostgreSQL on this machine: everything
// arrives (history at every resolution, availability, states, events, configs, messages), an
// interrupted migration resumes without loss or duplicates, and unsafe targets are refused.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.ts';
import { bufferIo } from '../cli/io.ts';
import { migrateCommand } from '../cli/migrate.ts';
import { MigrateInterrupted, migrateSqliteToPostgres } from './migrate.ts';
import { openPostgresStore } from './postgres/index.ts';
import { openSqliteStore } from './sqlite/index.ts';
import type { CheckRow, Store, ValueRow } from './store.ts';

const URL = 'postgres://postgres@127.0.0.1:5432/test';
const NOW = Date.UTC(2026, 5, 15);
const MIN = 60_000;
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'ww-migrate-'));
const schemas: string[] = [];
const schema = () => {
  const s = `ww_migrate_${process.pid}_${schemas.length + 1}`;
  schemas.push(s);
  return s;
};

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await c.end();
});

/** A data file with 3 days of one-a-minute values for 4 sensors × 2 channels, plus states, events, configs, messages. */
async function sourceFile(name: string): Promise<string> {
  const path = join(dir, `${name}.db`);
  const store = openSqliteStore({ path, clock: new ManualClock(NOW) });
  for (let day = 3; day >= 1; day--) {
    const values: ValueRow[] = [];
    const checks: CheckRow[] = [];
    for (let m = 0; m < 1440; m += 5) {
      const ts = NOW - day * DAY + m * MIN;
      for (let s = 0; s < 4; s++) {
        checks.push({ sensorId: `site/p/g/dev${s}/ping`, ts, ok: (m + s) % 7 !== 0 });
        values.push({ sensorId: `site/p/g/dev${s}/ping`, channel: 'responseTimeMs', ts, value: s * 10 + (m % 13) });
        values.push({ sensorId: `site/p/g/dev${s}/ping`, channel: 'lossPercent', ts, value: (m + s) % 7 === 0 ? 100 : 0 });
      }
    }
    await store.writeBatch(values, checks);
  }
  await store.saveStates([
    { sensorId: 'site/p/g/dev0/ping', state: 'down', since: NOW - MIN, failures: 3, message: 'no answer', error: 'TIMEOUT', acknowledgedBy: 'nurse', acknowledgedAt: NOW, lastValues: { responseTimeMs: 3 } },
    { sensorId: 'site/p/g/dev1/ping', state: 'up', since: NOW - DAY, failures: 0 },
  ]);
  await store.appendEvents(
    Array.from({ length: 50 }, (_, i) => ({ sensorId: `site/p/g/dev${i % 4}/ping`, ts: NOW - (50 - i) * MIN, from: 'up' as const, to: 'down' as const, reason: 'check', message: `event ${i} with\ttab and\nnewline \\ backslash` })),
  );
  await store.saveConfig({ sites: [{ name: 'A' }] }, 'hospital.yaml', NOW - DAY);
  await store.saveConfig({ sites: [{ name: 'B', description: 'ünïcode' }] }, 'api', NOW);
  await store.appendMessages([{ receiver: 'syslog', ts: NOW, source: '10.0.0.1', severity: 'error', text: 'link down', data: { port: 12 } }]);
  await store.close();
  return path;
}

async function snapshot(store: Store): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (let s = 0; s < 4; s++) {
    const id = `site/p/g/dev${s}/ping`;
    for (const r of ['raw', '1m', '1h', '1d'] as const) {
      out[`${id}:${r}`] = (await store.history({ sensorId: id, channel: 'responseTimeMs', from: NOW - 4 * DAY, to: NOW, resolution: r })).points;
    }
    out[`${id}:avail`] = await store.availability(id, NOW - 4 * DAY, NOW);
    out[`${id}:channels`] = (await store.channelsOf(id)).sort();
  }
  out.states = (await store.loadStates()).sort((a, b) => a.sensorId.localeCompare(b.sensorId));
  out.events = await store.events({ limit: 1000 });
  out.config = await store.latestConfig();
  out.messages = (await store.messages({ limit: 10 })).map(({ id: _id, ...m }) => m);
  return out;
}

describe('wardwatch migrate (SQLite → PostgreSQL)', () => {
  it('moves everything, resumes after an interruption without loss or duplicates', async () => {
    const path = await sourceFile('resume');
    const target = schema();
    const controller = new AbortController();
    let chunks = 0;
    await expect(
      migrateSqliteToPostgres({
        from: path,
        to: URL,
        schema: target,
        chunkRows: 500,
        signal: controller.signal,
        onProgress: () => {
          if (++chunks === 7) controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(MigrateInterrupted);

    const io = bufferIo();
    const rc = await migrateCommand(['--from', `sqlite:${path}`, '--to', URL, '--schema', target, '--chunk', '500'], io);
    expect(io.stderr).toBe('');
    expect(rc).toBe(0);
    expect(io.stdout).toMatch(/resumed/);
    expect(io.stdout).toMatch(/^migrated \d+ rows in \d+ tables/m);

    const src = openSqliteStore({ path, clock: new ManualClock(NOW) });
    const dst = await openPostgresStore({ connectionString: URL, schema: target, clock: new ManualClock(NOW) });
    try {
      expect(await snapshot(dst)).toEqual(await snapshot(src));
      // New rows continue after the moved ids.
      await dst.appendEvents([{ sensorId: 'x', ts: NOW, from: 'up', to: 'down', reason: 'check' }]);
      expect((await dst.events({ limit: 1 }))[0]?.id).toBe(51);
      expect(await dst.saveConfig({ sites: [] }, 'api', NOW)).toBe(3);
    } finally {
      await src.close();
      await dst.close();
    }
    // Running it again once it is done changes nothing.
    const again = bufferIo();
    expect(await migrateCommand(['--from', `sqlite:${path}`, '--to', URL, '--schema', target], again)).toBe(0);
    const dst2 = await openPostgresStore({ connectionString: URL, schema: target, clock: new ManualClock(NOW) });
    try {
      expect((await dst2.events({ limit: 1000 })).length).toBe(51);
    } finally {
      await dst2.close();
    }
  });

  it('refuses a target that already holds data, and a table PostgreSQL has no place for', async () => {
    const path = await sourceFile('refuse');
    const target = schema();
    const busy = await openPostgresStore({ connectionString: URL, schema: target });
    await busy.appendEvents([{ sensorId: 'x', ts: NOW, from: 'up', to: 'down', reason: 'check' }]);
    await busy.close();
    await expect(migrateSqliteToPostgres({ from: path, to: URL, schema: target })).rejects.toThrow(
      `PostgreSQL schema "${target}" already holds rows in state_event: migrate into an empty schema (--schema NAME)`,
    );

    const db = new Database(path);
    db.exec('CREATE TABLE mystery (id INTEGER PRIMARY KEY, x TEXT)');
    db.close();
    await expect(migrateSqliteToPostgres({ from: path, to: URL, schema: schema() })).rejects.toThrow(
      `${path}: table mystery has no counterpart in PostgreSQL schema "${schemas.at(-1)}"; nothing was moved`,
    );
  });

  it('names bad arguments and a missing file', async () => {
    const io = bufferIo();
    expect(await migrateCommand(['--from', './x.db', '--to', URL], io)).toBe(2);
    expect(io.stderr).toBe('--from: expected sqlite:PATH (the SQLite data file), got "./x.db"\n');
    const io2 = bufferIo();
    expect(await migrateCommand(['--from', `sqlite:${join(dir, 'none.db')}`, '--to', URL], io2)).toBe(1);
    expect(io2.stderr).toMatch(/^wardwatch migrate: .*none\.db: cannot open the SQLite data file/);
  });
});
