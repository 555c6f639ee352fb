// The suite every Store implementation must pass (SQLite now, PostgreSQL later): values and
// rollups, resolution picking, availability, retention. State, events and config are checked in
// contract-state.ts, which this file runs too. Call runStoreContract from a *.test.ts file.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import type { CheckRow, HistoryPoint, Store, ValueRow } from '../store.ts';
import { DEFAULT_RETENTION } from '../store.ts';
import { runMessageContract } from './contract-messages.ts';
import { runStateContract } from './contract-state.ts';

/** What the suite hands the factory: build the store with this clock and DEFAULT_RETENTION. */
export interface StoreContractContext {
  /** "now" for resolution picking; fixed at CONTRACT_NOW. */
  readonly clock: ManualClock;
}

/** The suite's "now": a whole day, so that hour and day buckets line up with it. */
export const CONTRACT_NOW = Date.UTC(2026, 5, 15);
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export function value(sensorId: string, channel: string, ts: number, v: number): ValueRow {
  return { sensorId, channel, ts, value: v };
}

export function check(sensorId: string, ts: number, ok: boolean): CheckRow {
  return { sensorId, ts, ok };
}

/** A minimal "{ts, min, avg, max, count}" with the avg rounded, for exact comparisons. */
function rounded(p: HistoryPoint): HistoryPoint {
  return { ...p, avg: Math.round(p.avg * 1e9) / 1e9 };
}

/**
 * Registers the contract suite. The factory gets a fresh context per test and must return an
 * empty store that reads "now" from ctx.clock and keeps DEFAULT_RETENTION.
 */
export function runStoreContract(name: string, factory: (ctx: StoreContractContext) => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    const now = CONTRACT_NOW;

    beforeEach(async () => {
      store = await factory({ clock: new ManualClock(CONTRACT_NOW) });
    });
    afterEach(async () => {
      await store.close();
    });

    it('writes raw values and reads them back in time order, whatever order they were written in', async () => {
      const ts = [now - 3 * MIN, now - 1 * MIN, now - 2 * MIN];
      await store.writeBatch([value('s1', 'responseTimeMs', ts[0]!, 12.5), value('s1', 'responseTimeMs', ts[1]!, 30)], []);
      await store.writeBatch([value('s1', 'responseTimeMs', ts[2]!, 7)], []);
      const h = await store.history({ sensorId: 's1', channel: 'responseTimeMs', from: now - HOUR, to: now });
      expect(h.resolution).toBe('raw');
      expect(h.points).toEqual([
        { ts: now - 3 * MIN, min: 12.5, avg: 12.5, max: 12.5, count: 1 },
        { ts: now - 2 * MIN, min: 7, avg: 7, max: 7, count: 1 },
        { ts: now - 1 * MIN, min: 30, avg: 30, max: 30, count: 1 },
      ]);
      const narrow = await store.history({ sensorId: 's1', channel: 'responseTimeMs', from: now - 2 * MIN, to: now - 2 * MIN, resolution: 'raw' });
      expect(narrow.points.map((p) => p.ts)).toEqual([now - 2 * MIN]);
    });

    it('keeps channels and sensors apart and lists the channels of a sensor', async () => {
      await store.writeBatch(
        [value('s1', 'b', now - MIN, 1), value('s1', 'a', now - MIN, 2), value('s2', 'a', now - MIN, 3), value('s2', 'c', now - MIN, 4)],
        [],
      );
      expect(await store.channelsOf('s1')).toEqual(['a', 'b']);
      expect(await store.channelsOf('s2')).toEqual(['a', 'c']);
      const h = await store.history({ sensorId: 's2', channel: 'a', from: now - HOUR, to: now });
      expect(h.points.map((p) => p.avg)).toEqual([3]);
    });

    it('ignores a batch written twice: no duplicate rows and no doubled rollups', async () => {
      const batch = [value('s1', 'v', now - 90 * MIN, 10), value('s1', 'v', now - 89 * MIN, 20)];
      const checks = [check('s1', now - 90 * MIN, true), check('s1', now - 89 * MIN, false)];
      await store.writeBatch(batch, checks);
      await store.writeBatch(batch, checks);
      // A re-sent row with a different value keeps the first one (first write wins).
      await store.writeBatch([value('s1', 'v', now - 90 * MIN, 999)], [check('s1', now - 90 * MIN, false)]);
      const raw = await store.history({ sensorId: 's1', channel: 'v', from: now - 2 * HOUR, to: now, resolution: 'raw' });
      expect(raw.points.map((p) => p.avg)).toEqual([10, 20]);
      const hourly = await store.history({ sensorId: 's1', channel: 'v', from: now - 2 * HOUR, to: now, resolution: '1h' });
      expect(hourly.points).toEqual([{ ts: now - 2 * HOUR, min: 10, avg: 15, max: 20, count: 2 }]);
      const daily = await store.history({ sensorId: 's1', channel: 'v', from: now - 2 * HOUR, to: now, resolution: '1d' });
      expect(daily.points).toEqual([{ ts: now - DAY, min: 10, avg: 15, max: 20, count: 2 }]);
      const a = await store.availability('s1', now - 2 * HOUR, now);
      expect(a).toEqual({ resolution: 'raw', availability: 0.5, checks: 2 });
    });

    it('counts a row repeated inside one batch once', async () => {
      const t = now - 30 * MIN;
      await store.writeBatch([value('s1', 'v', t, 5), value('s1', 'v', t, 6), value('s1', 'v', t + 1, 7)], [check('s1', t, true), check('s1', t, false)]);
      const minutes = await store.history({ sensorId: 's1', channel: 'v', from: t, to: t, resolution: '1m' });
      expect(minutes.points).toEqual([{ ts: t, min: 5, avg: 6, max: 7, count: 2 }]);
      expect(await store.availability('s1', t, t)).toEqual({ resolution: 'raw', availability: 1, checks: 1 });
    });

    it('merges late rows into their buckets, in any order', async () => {
      const hour = now - 5 * HOUR;
      await store.writeBatch([value('s1', 'v', hour + 10 * MIN + 30_000, 5)], []);
      await store.writeBatch([value('s1', 'v', hour + 10 * MIN, 1), value('s1', 'v', hour + 59 * MIN, 9)], []);
      await store.writeBatch([value('s1', 'v', hour + 10 * MIN + 59_999, -4)], []);
      const q = { sensorId: 's1', channel: 'v', from: hour, to: hour + HOUR - 1 };
      const minutes = await store.history({ ...q, resolution: '1m' });
      expect(minutes.points).toEqual([
        { ts: hour + 10 * MIN, min: -4, avg: 2 / 3, max: 5, count: 3 },
        { ts: hour + 59 * MIN, min: 9, avg: 9, max: 9, count: 1 },
      ]);
      const hours = await store.history({ ...q, resolution: '1h' });
      expect(hours.points.map(rounded)).toEqual([{ ts: hour, min: -4, avg: 2.75, max: 9, count: 4 }]);
    });

    it('computes min, avg, max and count per bucket across hours and days', async () => {
      // Three hours of one value a minute, crossing midnight: 22:00 to 00:59.
      const start = now - 2 * HOUR;
      const rows: ValueRow[] = [];
      for (let i = 0; i < 180; i++) rows.push(value('s1', 'v', start + i * MIN, (i % 60) + Math.floor(i / 60) * 100));
      await store.writeBatch(rows.slice(90), []);
      await store.writeBatch(rows.slice(0, 90), []);
      const q = { sensorId: 's1', channel: 'v', from: start, to: start + 3 * HOUR - 1 };
      const hours = await store.history({ ...q, resolution: '1h' });
      expect(hours.points.map(rounded)).toEqual([
        { ts: start, min: 0, avg: 29.5, max: 59, count: 60 },
        { ts: start + HOUR, min: 100, avg: 129.5, max: 159, count: 60 },
        { ts: start + 2 * HOUR, min: 200, avg: 229.5, max: 259, count: 60 },
      ]);
      const days = await store.history({ ...q, resolution: '1d' });
      expect(days.points.map(rounded)).toEqual([
        { ts: now - DAY, min: 0, avg: 79.5, max: 159, count: 120 },
        { ts: now, min: 200, avg: 229.5, max: 259, count: 60 },
      ]);
      const minutes = await store.history({ ...q, resolution: '1m' });
      expect(minutes.points).toHaveLength(180);
      // A range that starts mid-bucket still includes that bucket.
      const mid = await store.history({ ...q, from: start + HOUR + 30 * MIN, to: start + HOUR + 31 * MIN, resolution: '1h' });
      expect(mid.points.map((p) => p.ts)).toEqual([start + HOUR]);
    });

    it('picks the finest retained resolution that fits the range and the number of points', async () => {
      const rows: ValueRow[] = [];
      // One value an hour over the last 100 days, and one 800 days ago.
      for (let t = now - 100 * DAY; t < now; t += HOUR) rows.push(value('s1', 'v', t, 1));
      rows.push(value('s1', 'v', now - 800 * DAY, 2));
      await store.writeBatch(rows, []);
      const pick = async (from: number, maxPoints?: number) => store.history({ sensorId: 's1', channel: 'v', from, to: now, ...(maxPoints !== undefined && { maxPoints }) });
      expect((await pick(now - 6 * HOUR)).resolution).toBe('raw');
      const twoDays = await pick(now - 2 * DAY);
      expect(twoDays.resolution).toBe('1h');
      expect(twoDays.points).toHaveLength(48);
      expect((await pick(now - 2 * DAY, 5000)).resolution).toBe('raw');
      // Raw is kept 7 days: a 10-day range cannot use it, however many points are allowed.
      expect((await pick(now - 10 * DAY, 20_000)).resolution).toBe('1m');
      expect((await pick(now - 10 * DAY)).resolution).toBe('1h');
      // 1 min is kept 30 days.
      const sixty = await pick(now - 60 * DAY);
      expect(sixty.resolution).toBe('1d');
      expect(sixty.points).toHaveLength(60);
      expect(sixty.points.every((p) => p.count === 24)).toBe(true);
      const years = await pick(now - 3 * 365 * DAY, 5000);
      expect(years.resolution).toBe('1d');
      expect(years.points[0]).toEqual({ ts: now - 800 * DAY, min: 2, avg: 2, max: 2, count: 1 });
      expect(years.points).toHaveLength(101);
    });

    it('computes availability from checks over the finest retained resolution', async () => {
      await store.writeBatch([], [check('s1', now - 30 * MIN, true), check('s1', now - 20 * MIN, true), check('s1', now - 10 * MIN, true), check('s1', now - 5 * MIN, false)]);
      await store.writeBatch([], [check('s1', now - 9 * DAY, true), check('s1', now - 9 * DAY + MIN, false), check('s2', now - 9 * DAY, false)]);
      expect(await store.availability('s1', now - HOUR, now)).toEqual({ resolution: 'raw', availability: 0.75, checks: 4 });
      expect(await store.availability('s1', now - 10 * MIN, now)).toEqual({ resolution: 'raw', availability: 0.5, checks: 2 });
      expect(await store.availability('s1', now - 10 * DAY, now)).toEqual({ resolution: '1m', availability: 4 / 6, checks: 6 });
      expect(await store.availability('s1', now - 10 * DAY, now - 5 * DAY)).toEqual({ resolution: '1m', availability: 0.5, checks: 2 });
      expect(await store.availability('s1', now - 400 * DAY, now)).toEqual({ resolution: '1h', availability: 4 / 6, checks: 6 });
      expect(await store.availability('s2', now - 10 * DAY, now)).toEqual({ resolution: '1m', availability: 0, checks: 1 });
      expect(await store.availability('s1', now - 5 * DAY, now - 4 * DAY)).toEqual({ resolution: 'raw', availability: null, checks: 0 });
    });

    it('answers empty results for unknown sensors and channels', async () => {
      await store.writeBatch([value('s1', 'v', now - MIN, 1)], [check('s1', now - MIN, true)]);
      expect(await store.history({ sensorId: 'nope', channel: 'v', from: now - HOUR, to: now })).toEqual({ resolution: 'raw', points: [] });
      expect(await store.history({ sensorId: 's1', channel: 'nope', from: now - HOUR, to: now, resolution: '1h' })).toEqual({ resolution: '1h', points: [] });
      expect(await store.channelsOf('nope')).toEqual([]);
      expect(await store.availability('nope', now - HOUR, now)).toEqual({ resolution: 'raw', availability: null, checks: 0 });
      // A reversed range is empty, not an error.
      expect((await store.history({ sensorId: 's1', channel: 'v', from: now, to: now - HOUR })).points).toEqual([]);
      await store.writeBatch([], []);
    });

    it('stores 0, negative, tiny and very large numbers exactly, and skips values that are not finite', async () => {
      const values = [0, -273.15, 1e300, -1e300, Number.MAX_SAFE_INTEGER, 5e-324, -0.000001];
      await store.writeBatch(values.map((v, i) => value('s1', 'v', now - (10 - i) * MIN, v)), []);
      await store.writeBatch([value('s1', 'v', now - MIN, Number.NaN), value('s1', 'v', now - 2 * MIN, Number.POSITIVE_INFINITY), value('s1', 'w', now - MIN, Number.NEGATIVE_INFINITY)], []);
      const raw = await store.history({ sensorId: 's1', channel: 'v', from: now - HOUR, to: now, resolution: 'raw' });
      expect(raw.points.map((p) => p.avg)).toEqual(values);
      const minutes = await store.history({ sensorId: 's1', channel: 'v', from: now - HOUR, to: now, resolution: '1m' });
      expect(minutes.points.map((p) => [p.min, p.max, p.count])).toEqual(values.map((v) => [v, v, 1]));
      const hour = await store.history({ sensorId: 's1', channel: 'v', from: now - HOUR, to: now - 1, resolution: '1h' });
      expect(hour.points).toHaveLength(1);
      expect(hour.points[0]).toMatchObject({ min: -1e300, max: 1e300, count: values.length });
      expect(await store.channelsOf('s1')).toEqual(['v']);
    });

    it('handles unicode sensor ids and channel names', async () => {
      const id = 'Röntgen-CT 🩻 放射線科/Raum 3';
      const channel = 'température °C';
      await store.writeBatch([value(id, channel, now - MIN, 21.5), value('Röntgen-CT', channel, now - MIN, 99)], [check(id, now - MIN, true)]);
      expect(await store.channelsOf(id)).toEqual([channel]);
      const h = await store.history({ sensorId: id, channel, from: now - HOUR, to: now });
      expect(h.points.map((p) => p.avg)).toEqual([21.5]);
      expect(await store.availability(id, now - HOUR, now)).toEqual({ resolution: 'raw', availability: 1, checks: 1 });
    });

    it('applies retention per resolution and deletes only what is past it', async () => {
      const ages = [1, 8, 40, 800].map((d) => now - d * DAY);
      await store.writeBatch(
        ages.map((t) => value('s1', 'v', t, 1)),
        ages.map((t) => check('s1', t, true)),
      );
      // raw: 8, 40, 800 days (values and checks); 1m: 40, 800; 1h: 800; 1d kept forever.
      expect(await store.applyRetention(now, DEFAULT_RETENTION)).toBe(12);
      expect(await store.applyRetention(now, DEFAULT_RETENTION)).toBe(0);
      const ts = async (resolution: 'raw' | '1m' | '1h' | '1d') =>
        (await store.history({ sensorId: 's1', channel: 'v', from: now - 1000 * DAY, to: now, resolution })).points.map((p) => (now - p.ts) / DAY);
      expect(await ts('raw')).toEqual([1]);
      expect(await ts('1m')).toEqual([8, 1]);
      expect(await ts('1h')).toEqual([40, 8, 1]);
      expect(await ts('1d')).toEqual([800, 40, 8, 1]);
      // Availability over the last day still reads the raw check kept.
      expect(await store.availability('s1', now - 2 * DAY, now)).toEqual({ resolution: 'raw', availability: 1, checks: 1 });
      // A stricter retention given per call (raw 2, 1m 4, 1d 6 rows); null keeps a resolution forever.
      expect(await store.applyRetention(now, { raw: 0, '1m': 0, '1h': null, '1d': 1 })).toBe(2 + 4 + 6);
      expect(await ts('1h')).toEqual([40, 8, 1]);
      expect(await ts('1d')).toEqual([1]);
    });

    runStateContract(() => store);
    runMessageContract(() => store);
  });
}
