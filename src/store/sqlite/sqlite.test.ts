// The SQLite store: the shared Store contract (in memory and on disk), plus what only SQLite has:
// pragmas, schema versions and migrations, reopening a file, chunked retention, the id cache.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import type { ValueRow } from '../store.ts';
import { runStoreContract } from '../testing/contract.ts';
import type { Migration } from './index.ts';
import { MIGRATIONS, migrate, openSqliteStore } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ww-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = (): string => join(dir, `f${++files}`, 'nested', 'wardwatch.db');

runStoreContract('sqlite in memory', async ({ clock }) => openSqliteStore({ path: ':memory:', clock }));
runStoreContract('sqlite file', async ({ clock }) => openSqliteStore({ path: freshFile(), clock }));

const NOW = Date.UTC(2026, 5, 15);
const v = (sensorId: string, channel: string, ts: number, value: number): ValueRow => ({ sensorId, channel, ts, value });

function pragmas(file: string): Record<string, unknown> {
  const db = new Database(file, { readonly: true });
  try {
    return { journal: db.pragma('journal_mode', { simple: true }), version: db.pragma('user_version', { simple: true }) };
  } finally {
    db.close();
  }
}

describe('SQLite store specifics', () => {
  it('creates parent folders, uses WAL, and keeps data across close and reopen', async () => {
    const file = freshFile();
    const first = openSqliteStore({ path: file, clock: new ManualClock(NOW) });
    expect(first.path).toBe(file);
    expect(first.schemaVersion()).toBe(MIGRATIONS.length);
    await first.writeBatch([v('s1', 'ms', NOW - 60_000, 4)], [{ sensorId: 's1', ts: NOW - 60_000, ok: true }]);
    await first.saveConfig({ a: 1 }, 'test', NOW);
    await first.close();
    await first.close(); // closing twice is harmless
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(pragmas(file)).toEqual({ journal: 'wal', version: MIGRATIONS.length });

    const again = openSqliteStore({ path: file, clock: new ManualClock(NOW) });
    try {
      expect((await again.history({ sensorId: 's1', channel: 'ms', from: NOW - 3_600_000, to: NOW })).points).toEqual([
        { ts: NOW - 60_000, min: 4, avg: 4, max: 4, count: 1 },
      ]);
      expect(await again.availability('s1', NOW - 3_600_000, NOW)).toEqual({ resolution: 'raw', availability: 1, checks: 1 });
      expect((await again.latestConfig())?.document).toEqual({ a: 1 });
      // Re-sending after a restart (the id cache is cold) is still ignored.
      await again.writeBatch([v('s1', 'ms', NOW - 60_000, 4)], []);
      expect((await again.history({ sensorId: 's1', channel: 'ms', from: NOW - 3_600_000, to: NOW, resolution: '1h' })).points[0]?.count).toBe(1);
    } finally {
      await again.close();
    }
  });

  it('applies later migrations in order, once, and refuses a file from a newer release', async () => {
    const file = freshFile();
    const extra: Migration[] = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'alert rules', sql: 'CREATE TABLE alert_rule (id INTEGER PRIMARY KEY, name TEXT NOT NULL);' },
      { version: MIGRATIONS.length + 2, name: 'seed', sql: "INSERT INTO alert_rule (name) VALUES ('default');" },
    ];
    await openSqliteStore({ path: file }).close();
    const upgraded = openSqliteStore({ path: file, migrations: extra });
    expect(upgraded.schemaVersion()).toBe(MIGRATIONS.length + 2);
    await upgraded.close();
    // Reopening runs nothing again: the seed row is there once.
    await openSqliteStore({ path: file, migrations: extra }).close();
    const db = new Database(file);
    expect(db.prepare('SELECT count(*) FROM alert_rule').pluck().get()).toBe(1);
    db.close();

    expect(() => openSqliteStore({ path: file })).toThrow(
      `${file}: database schema version ${MIGRATIONS.length + 2} is newer than this Wardwatch supports (${MIGRATIONS.length}); ` +
        'it was written by a newer release: upgrade Wardwatch or point it at another data directory',
    );
  });

  it('rolls a failing migration back whole and rejects a list out of order', () => {
    const db = new Database(':memory:');
    try {
      const broken: Migration[] = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE t (x); INSERT INTO nowhere VALUES (1);' }];
      expect(() => migrate(db, broken, 'mem')).toThrow('no such table: nowhere');
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 't'").pluck().get()).toBe(0);
      const unordered: Migration[] = [{ version: 2, name: 'two', sql: '' }];
      expect(() => migrate(db, unordered, 'mem')).toThrow('migration list out of order: entry 0 has version 2, expected 1');
    } finally {
      db.close();
    }
  });

  it('forgets ids created by a batch that rolled back, so that no two series share one', async () => {
    const store = openSqliteStore({ path: ':memory:', clock: new ManualClock(NOW) });
    try {
      const bad = { sensorId: 'bad', channel: null, ts: NOW, value: 1 } as unknown as ValueRow;
      await expect(store.writeBatch([v('new', 'c', NOW - 1000, 1), bad], [])).rejects.toThrow('NOT NULL constraint failed: series.channel');
      expect(await store.channelsOf('new')).toEqual([]);
      await store.writeBatch([v('other', 'x', NOW - 1000, 2)], []);
      await store.writeBatch([v('new', 'c', NOW - 1000, 3)], []);
      const read = async (s: string, c: string) => (await store.history({ sensorId: s, channel: c, from: NOW - 60_000, to: NOW })).points.map((p) => p.avg);
      expect(await read('other', 'x')).toEqual([2]);
      expect(await read('new', 'c')).toEqual([3]);
    } finally {
      await store.close();
    }
  });

  it('ends retention quietly when the store closes half-way', async () => {
    const store = openSqliteStore({ path: freshFile(), retentionChunking: { rows: 100, keys: 3 } });
    await store.writeBatch(Array.from({ length: 1000 }, (_, i) => v('s', 'v', NOW - 10 * 86_400_000 + i * 1000, i)), []);
    const running = store.applyRetention(NOW);
    await store.close();
    // The first chunk ran before close; the rest waits for the next run.
    expect(await running).toBe(100);
  });

  it('puts times before 1970 in the right buckets and refuses a config that is not JSON data', async () => {
    const store = openSqliteStore({ path: ':memory:', clock: new ManualClock(NOW) });
    try {
      await store.writeBatch([v('old', 'v', -90_000, 1), v('old', 'v', -30_000, 3)], []);
      const minutes = await store.history({ sensorId: 'old', channel: 'v', from: -200_000, to: 0, resolution: '1m' });
      expect(minutes.points).toEqual([
        { ts: -120_000, min: 1, avg: 1, max: 1, count: 1 },
        { ts: -60_000, min: 3, avg: 3, max: 3, count: 1 },
      ]);
      await expect(store.saveConfig(undefined, 'test', NOW)).rejects.toThrow('saveConfig: the configuration document is not JSON-compatible data');
      expect(await store.latestConfig()).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('deletes past retention in small transactions, yielding to the event loop between them', async () => {
    const store = openSqliteStore({ path: freshFile(), retentionChunking: { rows: 100, keys: 3 } });
    try {
      const rows: ValueRow[] = [];
      for (let s = 0; s < 10; s++) for (let i = 0; i < 150; i++) rows.push(v(`s${s}`, 'v', NOW - 10 * 86_400_000 + i * 1000, i));
      rows.push(v('s0', 'v', NOW - 60_000, 1));
      await store.writeBatch(rows, []);
      let turns = 0;
      let done = false;
      const tick = (): void => {
        turns += 1;
        if (!done) setImmediate(tick);
      };
      setImmediate(tick);
      // Default retention: the 1500 ten-day-old raw rows go, their 1m buckets (30 days) stay.
      const deleted = await store.applyRetention(NOW);
      done = true;
      expect(deleted).toBe(1500);
      expect(turns).toBeGreaterThanOrEqual(15);
      const raw = await store.history({ sensorId: 's0', channel: 'v', from: 0, to: NOW, resolution: 'raw' });
      expect(raw.points.map((p) => p.ts)).toEqual([NOW - 60_000]);
      const minutes = await store.history({ sensorId: 's0', channel: 'v', from: 0, to: NOW, resolution: '1m' });
      expect(minutes.points.map((p) => p.count)).toEqual([60, 60, 30, 1]);
    } finally {
      await store.close();
    }
  });
});
