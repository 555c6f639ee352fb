// One page for one problem: root-cause grouping (2,000 sensors behind one switch → one notification
// per recipient per channel), dependencies (paused dependents never alert; the master's alert counts
// them), flapping (one notice, then one when it settles) and deduplication (even across a crash).

import { afterEach, describe, expect, it } from 'vitest';
import type { AlertStore } from './alert-store.ts';
import { harness, hospitalTree, testConfig, type DeviceSpec, type Harness } from './testing.ts';

const MIN = 60_000;
const SW = 'main/core/ward-3/sw-1/ping';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function ward(devices: number, sensorsPerDevice: number, dependsOn?: string): Record<string, DeviceSpec> {
  const out: Record<string, DeviceSpec> = { 'sw-1': { sensors: ['ping'] } };
  for (let d = 1; d <= devices; d++) {
    out[`pc-${d}`] = { sensors: Array.from({ length: sensorsPerDevice }, (_, i) => `s${i + 1}`), ...(dependsOn !== undefined ? { dependsOn } : {}) };
  }
  return out;
}

const downRule = { name: 'down', trigger: { state: { to: ['down'] } }, to: ['alice', 'bob'], channels: ['mail', 'hook'] };

describe('root-cause grouping', () => {
  it('2,000 sensors behind one switch going Down within the window make one notification per recipient per channel', async () => {
    const tree = hospitalTree({ groups: { 'ward-3': ward(100, 20), lab: ward(10, 5) } });
    const t = (h = await harness(tree, testConfig({ rules: [downRule] })));
    await t.change(SW, 'down');
    const ids = [...tree.nodes.values()].filter((n) => n.type === 'sensor' && n.id.startsWith('main/core/ward-3/pc-')).map((n) => n.id);
    expect(ids).toHaveLength(2000);
    for (const [i, id] of ids.entries()) {
      if (i % 200 === 0) await t.clock.advance(1000);
      await t.change(id, 'down', { message: 'Request timed out' });
    }
    expect(t.queue.lines()).toEqual([]);
    await t.advance(30_000);
    expect(t.queue.lines()).toEqual([
      'grouped alice@mail: 2001 sensors Down behind ward-3',
      'grouped bob@mail: 2001 sensors Down behind ward-3',
      'grouped hook@hook: 2001 sensors Down behind ward-3',
    ]);
    const n = t.queue.sent[0]!;
    expect(n.vars.members).toHaveLength(2001);
    expect(n.vars.members![1]).toEqual({ sensorId: 'main/core/ward-3/pc-1/s1', name: 'pc-1 / s1', state: 'down', message: 'Request timed out' });
    expect(n.vars).toMatchObject({ site: 'Main hospital', group: 'ward-3', state: 'down' });
    expect(n.vars.device).toBeUndefined();
    const [a] = await t.alerting.service.alerts({});
    expect(a).toMatchObject({ nodeId: 'main/core/ward-3', state: 'open' });
    expect(a!.sensorIds).toHaveLength(2001);
    t.queue.take();
    // The outage ends: one recovery per recipient and channel once every member is back.
    for (const id of ids) await t.change(id, 'up');
    expect(t.queue.lines()).toEqual([]);
    await t.change(SW, 'up');
    expect(t.queue.take()).toEqual([
      'recovery alice@mail: Recovered: 2001 sensors Down behind ward-3',
      'recovery bob@mail: Recovered: 2001 sensors Down behind ward-3',
      'recovery hook@hook: Recovered: 2001 sensors Down behind ward-3',
    ]);
  });

  it('keeps unrelated failures apart, tells single failures on their own, and adds late members silently', async () => {
    const tree = hospitalTree({ groups: { 'ward-3': ward(4, 1), lab: ward(3, 2), pacs: ward(30, 1) } });
    const t = (h = await harness(tree, testConfig({ rules: [{ ...downRule, to: ['alice'], channels: ['mail'] }] })));
    // All of ward-3 (5 sensors) and all of the lab (7 sensors), but only one sensor of pacs.
    for (const d of ['sw-1/ping', 'pc-1/s1', 'pc-2/s1', 'pc-3/s1']) await t.change(`main/core/ward-3/${d}`, 'down');
    for (const d of ['sw-1/ping', 'pc-1/s1', 'pc-1/s2', 'pc-2/s1', 'pc-2/s2', 'pc-3/s1', 'pc-3/s2']) await t.change(`main/core/lab/${d}`, 'down');
    await t.change('main/core/pacs/pc-7/s1', 'down');
    await t.advance(30_000);
    expect(t.queue.take().sort()).toEqual([
      'alert alice@mail: pc-7 / s1 is Down',
      'grouped alice@mail: 4 sensors Down behind ward-3',
      'grouped alice@mail: 7 sensors Down behind lab',
    ]);
    await t.change('main/core/ward-3/pc-4/s1', 'down');
    await t.advance(60_000);
    expect(t.queue.take()).toEqual([]);
    const ward3 = (await t.alerting.service.alerts({ nodeId: 'main/core/ward-3' }))[0]!;
    expect(ward3.sensorIds).toHaveLength(5);
  });
});

describe('dependencies', () => {
  it('dependents paused by their Down master never alert; the master\'s alert counts them', async () => {
    const tree = hospitalTree({ groups: { 'ward-3': ward(3, 2, SW) } });
    const t = (h = await harness(tree, testConfig({ rules: [downRule] })));
    // A dependent fails first (its check ran before the switch's); then the switch goes Down and pauses it.
    await t.change('main/core/ward-3/pc-1/s1', 'down');
    await t.change(SW, 'down');
    for (const d of [1, 2, 3]) for (const s of [1, 2]) await t.change(`main/core/ward-3/pc-${d}/s${s}`, 'paused', { pauseReason: 'dependency' });
    await t.advance(30_000);
    expect(t.queue.lines()).toEqual(['alert alice@mail: sw-1 / ping is Down', 'alert bob@mail: sw-1 / ping is Down', 'alert hook@hook: sw-1 / ping is Down']);
    expect(t.queue.sent[0]!.vars.affectedDependents).toBe(6);
    expect((await t.alerting.service.alerts({}))[0]).toMatchObject({ nodeId: SW, affectedDependents: 6, sensorIds: [SW] });
  });
});

describe('flapping', () => {
  it('marks a sensor changing too often as flapping, tells once, and again when it settles', async () => {
    const tree = hospitalTree({ groups: { pacs: { 'pacs-1': { sensors: ['echo'] } } } });
    const config = testConfig({ rules: [{ ...downRule, grouping: false, to: ['alice'], channels: ['mail'], repeat: { every: '3m' } }], flapping: { changes: 3, window: '10m', settle: '5m' } });
    const t = (h = await harness(tree, config));
    const ECHO = 'main/core/pacs/pacs-1/echo';
    for (const s of ['down', 'up', 'down', 'up', 'down', 'up', 'down'] as const) {
      await t.change(ECHO, s);
      await t.advance(MIN);
    }
    expect(t.queue.take()).toEqual([
      'alert alice@mail: pacs-1 / echo is Down',
      'recovery alice@mail: pacs-1 / echo is back Up',
      'alert alice@mail: pacs-1 / echo is Down',
      'flapping alice@mail: pacs-1 / echo is flapping (4 state changes in 10 min)',
      'recovery alice@mail: pacs-1 / echo is back Up',
    ]);
    // The last change was 1 min ago: quiet for 5 min settles it.
    await t.advance(3 * MIN);
    expect(t.queue.take()).toEqual([]);
    // Settled while Down: the settle notice, then a normal alert for the Down state.
    await t.advance(MIN);
    expect(t.queue.take()).toEqual(['flapping alice@mail: pacs-1 / echo has settled: now Down', 'alert alice@mail: pacs-1 / echo is Down']);
  });
});

describe('deduplication', () => {
  it('the same event twice tells once; a crash between enqueue and save does not tell twice after restart', async () => {
    const tree = hospitalTree({ groups: { pacs: { 'pacs-1': { sensors: ['echo'] } } } });
    const config = testConfig({ rules: [{ ...downRule, grouping: false }] });
    const t = (h = await harness(tree, config));
    const ECHO = 'main/core/pacs/pacs-1/echo';
    const e = t.states.change(ECHO, 'down', t.clock.now());
    t.alerting.onStateChange(e, t.states.statusOf(ECHO)!);
    t.alerting.onStateChange(e, t.states.statusOf(ECHO)!);
    await t.alerting.idle();
    expect(t.queue.sent).toHaveLength(3);
    expect(t.queue.offered).toBe(3);

    // A second sensor: the notifications are enqueued, then saving the alert fails (the process dies there).
    const PING = 'main/core/pacs/pacs-1/ping';
    const tree2 = hospitalTree({ groups: { pacs: { 'pacs-1': { sensors: ['echo', 'ping'] } } } });
    const { openSqliteAlertStore } = await import('../../store/sqlite/alerting.ts');
    const real = openSqliteAlertStore(t.db.connection);
    let failNext = true;
    const flaky: AlertStore = {
      ...real,
      saveAlerts: async (list) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk I/O error');
        }
        return real.saveAlerts(list);
      },
    };
    const logs: string[] = [];
    await t.restart({ tree: tree2, store: flaky, log: (_l, m) => logs.push(m) });
    await t.change(PING, 'down');
    expect(logs.some((l) => l.includes('disk I/O error'))).toBe(true);
    expect(t.queue.sent).toHaveLength(6);
    await t.restart({ tree: tree2, store: real });
    // Reconciled at start: the same alert id, the same keys: the queue refuses all three again.
    expect(t.queue.offered).toBe(9);
    expect(t.queue.sent).toHaveLength(6);
    expect((await t.alerting.service.alerts({ nodeId: PING }))[0]).toMatchObject({ state: 'open', sensorIds: [PING] });
  });
});
