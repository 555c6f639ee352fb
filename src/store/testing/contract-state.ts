// The state half of the Store contract: sensor states survive a round trip, events page and
// filter newest first, configuration versions are all kept. Registered by runStoreContract.

import { expect, it } from 'vitest';
import type { StateEvent } from '../../core/model.ts';
import type { Store, StoredSensorState } from '../store.ts';

const T0 = Date.UTC(2026, 5, 1, 8);

function event(sensorId: string, i: number, extra: Partial<StateEvent> = {}): StateEvent {
  return { sensorId, ts: T0 + i * 1000, from: 'up', to: 'down', reason: `ECONNREFUSED #${i}`, ...extra };
}

export function runStateContract(store: () => Store): void {
  it('round-trips sensor states and updates them in place', async () => {
    const full: StoredSensorState = {
      sensorId: 'pacs/Röntgen 🩻',
      state: 'paused',
      pauseReason: 'maintenance',
      since: T0,
      failures: 2,
      message: 'maintenance window "Sunday patching"',
      error: 'TIMEOUT',
      lastCheck: T0 + 5000,
      acknowledgedBy: 'alice',
      acknowledgedAt: T0 + 6000,
      acknowledgedNote: 'vendor called',
      lastValues: { responseTimeMs: 12.5, packetLossPct: 0, certDaysLeft: -3 },
    };
    const minimal: StoredSensorState = { sensorId: 'his/web', state: 'up', since: T0 - 1000, failures: 0 };
    expect(await store().loadStates()).toEqual([]);
    await store().saveStates([full, minimal]);
    const bySensor = (states: StoredSensorState[]) => [...states].sort((a, b) => a.sensorId.localeCompare(b.sensorId));
    const loaded = bySensor(await store().loadStates());
    expect(loaded).toStrictEqual(bySensor([full, minimal]));

    const changed: StoredSensorState = { sensorId: 'pacs/Röntgen 🩻', state: 'up', since: T0 + 9000, failures: 0 };
    await store().saveStates([changed]);
    expect(bySensor(await store().loadStates())).toStrictEqual(bySensor([changed, minimal]));
  });

  it('with keepNewer, keeps a state when one from an older check arrives after it (remote readings committed out of order)', async () => {
    const newer: StoredSensorState = { sensorId: 'ris/hl7', state: 'down', since: T0 + 60_000, failures: 3, error: 'ECONNREFUSED', lastCheck: T0 + 60_000 };
    const older: StoredSensorState = { sensorId: 'ris/hl7', state: 'up', since: T0, failures: 0, lastCheck: T0 + 30_000 };
    await store().saveStates([newer]);
    await store().saveStates([older], { keepNewer: true });
    expect(await store().loadStates()).toStrictEqual([newer]);
    // Within one batch too, whatever the order.
    await store().saveStates([{ ...newer, failures: 4, lastCheck: T0 + 90_000 }, older], { keepNewer: true });
    expect((await store().loadStates())[0]?.failures).toBe(4);
    // Same check, new facts (an acknowledgement) still update it.
    const acked: StoredSensorState = { ...newer, failures: 4, lastCheck: T0 + 90_000, acknowledgedBy: 'bob', acknowledgedAt: T0 + 91_000 };
    await store().saveStates([acked], { keepNewer: true });
    expect(await store().loadStates()).toStrictEqual([acked]);
    // Without keepNewer (the engine's own saves, in order by construction) the last one given wins,
    // so a clock set back can never freeze a stored state.
    await store().saveStates([older]);
    expect(await store().loadStates()).toStrictEqual([older]);
  });

  it('returns events newest first, pages back with beforeId and filters by sensor and time', async () => {
    const events: StateEvent[] = [];
    for (let i = 0; i < 30; i++) events.push(event(i % 3 === 0 ? 'a' : 'b', i));
    events[0] = event('a', 0, { from: 'unknown', to: 'paused', pauseReason: 'dependency', message: 'master router is down' });
    await store().appendEvents(events.slice(0, 10));
    await store().appendEvents(events.slice(10));

    const all = await store().events({});
    expect(all).toHaveLength(30);
    expect(all.map((e) => e.ts)).toEqual(events.map((e) => e.ts).reverse());
    const ids = all.map((e) => e.id);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);
    expect(new Set(ids).size).toBe(30);
    const { id: _id, ...oldest } = all[29]!;
    expect(oldest).toStrictEqual(events[0]);

    // Paging: 7 at a time, each page before the last id seen, until nothing is left.
    const paged: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await store().events({ limit: 7, ...(before !== undefined && { beforeId: before }) });
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(7);
      paged.push(...page.map((e) => e.id));
      before = page[page.length - 1]!.id;
    }
    expect(paged).toEqual(ids);

    const onlyA = await store().events({ sensorId: 'a' });
    expect(onlyA.map((e) => e.reason)).toEqual([27, 24, 21, 18, 15, 12, 9, 6, 3, 0].map((i) => `ECONNREFUSED #${i}`));
    const window = await store().events({ from: T0 + 10_000, to: T0 + 12_000 });
    expect(window.map((e) => e.ts)).toEqual([T0 + 12_000, T0 + 11_000, T0 + 10_000]);
    const combined = await store().events({ sensorId: 'b', from: T0 + 10_000, to: T0 + 20_000, beforeId: window[0]!.id, limit: 2 });
    expect(combined.map((e) => e.reason)).toEqual(['ECONNREFUSED #11', 'ECONNREFUSED #10']);
    expect(await store().events({ sensorId: 'nobody' })).toEqual([]);
  });

  it('limits events to 100 by default and 1000 at most', async () => {
    const many: StateEvent[] = [];
    for (let i = 0; i < 1005; i++) many.push(event('s', i));
    await store().appendEvents(many);
    expect(await store().events({})).toHaveLength(100);
    expect(await store().events({ limit: 5000 })).toHaveLength(1000);
    expect(await store().events({ limit: 3 })).toHaveLength(3);
    expect((await store().events({ limit: 3 }))[0]!.ts).toBe(T0 + 1004 * 1000);
  });

  it('keeps every configuration version and answers the latest', async () => {
    expect(await store().latestConfig()).toBeUndefined();
    const first = { sites: [{ id: 'main', name: 'St. Elisabeth' }] };
    const second = { sites: [{ id: 'main', name: 'St. Elisabeth', probes: [] }], note: 'Ünïcødé ✓', n: 0, flag: false, nothing: null };
    const v1 = await store().saveConfig(first, 'hospital.yaml', T0);
    const v2 = await store().saveConfig(second, 'api:alice', T0 + 60_000);
    expect(v2).toBeGreaterThan(v1);
    expect(await store().latestConfig()).toStrictEqual({ version: v2, savedAt: T0 + 60_000, source: 'api:alice', document: second });
    // Saving the same document again is a new version too: versions record accepted changes over time.
    const v3 = await store().saveConfig(first, 'hospital.yaml', T0 + 120_000);
    expect(v3).toBeGreaterThan(v2);
    expect((await store().latestConfig())?.document).toStrictEqual(first);
  });
}
