// The unusual trigger, learning from a real SQLite store's hourly rollups: a value outside
// mean ± sigma·stddev of the same hour of the week over the last weeks opens an alert, one back
// inside ends it; other hours of the week do not count; too few weeks of history never fire.

import { afterEach, describe, expect, it } from 'vitest';
import { usualRange, WEEK_MS } from './unusual.ts';
import { harness, hospitalTree, testConfig, type Harness } from './testing.ts';

const ECHO = 'main/core/pacs/pacs-1/echo';
const MIN = 60_000;
const tree = hospitalTree({ groups: { pacs: { 'pacs-1': { sensors: ['echo'] } } } });
const rule = (unusual: Record<string, unknown>) => ({ name: 'odd', grouping: false, to: ['alice'], channels: ['mail'], trigger: { unusual: { channel: 'responseTimeMs', ...unusual } } });

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(unusual: Record<string, unknown>, history: readonly [number, number][]): Promise<Harness> {
  const t = (h = await harness(tree, testConfig({ rules: [rule(unusual)] })));
  // history: [weeks back, value] at 10 min past the current hour; plus a busy value two hours later each week.
  const now = t.clock.now();
  await t.db.writeBatch(
    history.flatMap(([w, v]) => [
      { sensorId: ECHO, channel: 'responseTimeMs', ts: now - w * WEEK_MS + 10 * MIN, value: v },
      { sensorId: ECHO, channel: 'responseTimeMs', ts: now - w * WEEK_MS + 130 * MIN, value: 5000 },
    ]),
    [],
  );
  t.states.change(ECHO, 'up', now);
  return t;
}

async function feed(t: Harness, v: number): Promise<string[]> {
  t.alerting.onReading({ sensorId: ECHO, ts: t.clock.now(), durationMs: 1, channels: [{ key: 'responseTimeMs', value: v }] });
  await t.advance(MIN, MIN);
  return t.queue.take();
}

describe('usual range', () => {
  it('is mean ± sigma times the sample standard deviation, once enough weeks have data', () => {
    expect(usualRange([100, 110, 90, 100], 3, 2)).toEqual({ mean: 100, low: 100 - 3 * Math.sqrt(200 / 3), high: 100 + 3 * Math.sqrt(200 / 3), weeks: 4 });
    expect(usualRange([100], 3, 2)).toBeUndefined();
    expect(usualRange([], 3, 0)).toBeUndefined();
    expect(usualRange([7], 2, 1)).toEqual({ mean: 7, low: 7, high: 7, weeks: 1 });
  });
});

describe('unusual trigger', () => {
  it('opens when a value leaves the usual range for this hour of the week, and ends when it is back', async () => {
    const t = await start({ sigma: 3, weeks: 4 }, [[1, 100], [2, 110], [3, 90], [4, 100], [5, 900]]);
    const t0 = t.clock.now();
    expect(await feed(t, 120)).toEqual([]);
    expect(await feed(t, 130)).toEqual(['alert alice@mail: pacs-1 / echo: responseTimeMs unusual for this hour of the week: 130 (usual 75.51 to 124.49, from 4 weeks)']);
    const [a] = await t.alerting.service.alerts({});
    expect(a).toMatchObject({ state: 'open', severity: 'warning', ruleName: 'odd', nodeId: ECHO });
    expect(await feed(t, 140)).toEqual([]);
    expect(await feed(t, 60)).toEqual([]);
    expect(await feed(t, 100)).toEqual(['recovery alice@mail: Recovered: pacs-1 / echo: responseTimeMs unusual for this hour of the week: 130 (usual 75.51 to 124.49, from 4 weeks)']);
    // Two hours later is another hour of the week, where 5000 is usual (and the fifth week back is not counted).
    await t.advance(t0 + 120 * MIN - t.clock.now(), MIN);
    expect(await feed(t, 130)).toEqual(['alert alice@mail: pacs-1 / echo: responseTimeMs unusual for this hour of the week: 130 (usual 5000 to 5000, from 4 weeks)']);
  });

  it('never fires with fewer weeks of data than minWeeks', async () => {
    const t = await start({ weeks: 4, minWeeks: 2 }, [[1, 100]]);
    expect(await feed(t, 100_000)).toEqual([]);
    expect(await feed(t, -5)).toEqual([]);
    expect(await t.alerting.service.alerts({})).toEqual([]);
  });

  it('refuses to start without the store\'s history when a rule needs it', async () => {
    const t = (h = await harness(tree, testConfig({ rules: [] })));
    const { startAlerting } = await import('../start.ts');
    const { openSqliteAlertStore } = await import('../../store/sqlite/alerting.ts');
    await expect(startAlerting({ clock: t.clock, tree, config: testConfig({ rules: [rule({})] }), store: openSqliteAlertStore(t.db.connection), queue: t.queue, statusOf: t.states.statusOf })).rejects.toThrow(
      'alerting: rule "odd" has an unusual trigger, which learns from the store\'s history: start alerting with the store as AlertingOptions.history',
    );
  });
});
