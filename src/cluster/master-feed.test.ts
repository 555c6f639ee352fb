import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatConfigError, parseConfig } from '../config/load.ts';
import type { SensorStatus } from '../core/model.ts';
import { resolveSettings, sensorsOf, type Tree } from '../core/tree.ts';
import { ManualClock } from '../shared/clock.ts';
import { effectiveDependsOn, MasterFeed } from './master-feed.ts';
import type { MastersMessage } from './protocol.ts';

const GW = 'main/core/net/gw/value';
const ROUTER = 'p/p/net/router/value';
const SWITCH = 'p/p/net/switch/value';
const CT = 'q/q/imaging/ct/value';
const MR = 'q/q/imaging/mr/value';

function dev(name: string, extra: Record<string, unknown> = {}) {
  return { name, host: '127.0.0.1', sensors: [{ name: 'value', kind: 'synthetic', ...extra }] };
}

// Probe P depends on the core's gateway (through its group); probe Q's CT on P's router.
function tree(): Tree {
  const doc = {
    sites: [
      { name: 'Main', probes: [{ name: 'Core', groups: [{ name: 'Net', system: 'network', devices: [dev('GW')] }] }] },
      { name: 'P', probes: [{ name: 'P', groups: [{ name: 'Net', system: 'network', dependsOn: GW, devices: [dev('Router', { dependsOn: SWITCH }), dev('Switch')] }] }] },
      { name: 'Q', probes: [{ name: 'Q', groups: [{ name: 'Imaging', system: 'modality', devices: [dev('CT', { dependsOn: ROUTER }), dev('MR', { dependsOn: CT })] }] }] },
    ],
  };
  const parsed = parseConfig(stringify(doc), 'feed-test.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.map(formatConfigError).join('\n'));
  return parsed.tree;
}

function setup() {
  const t = tree();
  const clock = new ManualClock();
  const statuses = new Map<string, SensorStatus>();
  const sent: { probe: string; m: MastersMessage }[] = [];
  const runs = new Map([
    ['P', new Set([ROUTER, SWITCH])],
    ['Q', new Set([CT, MR])],
  ]);
  const feed = new MasterFeed({
    clock,
    tree: () => t,
    probes: () => runs.keys(),
    runs: (p) => runs.get(p) ?? new Set(),
    statusOf: (id) => statuses.get(id),
    send: (probe, m) => sent.push({ probe, m }),
    refreshMs: 10_000,
  });
  const set = (id: string, s: Partial<SensorStatus> & Pick<SensorStatus, 'state'>) => statuses.set(id, { failures: 0, since: 0, ...s });
  return { t, clock, feed, sent, set };
}

const tick = () => new Promise<void>((r) => queueMicrotask(r));

describe('MasterFeed', () => {
  it('finds every sensor\'s inherited master as resolveSettings does', () => {
    const t = tree();
    const deps = effectiveDependsOn(t);
    for (const n of sensorsOf(t)) expect(deps.get(n.id), n.id).toBe(resolveSettings(t, n.id).dependsOn);
    expect(deps.get(SWITCH)).toBe(GW);
  });

  it('names for each probe only the masters its sensors name that it does not run', () => {
    const { feed } = setup();
    expect([...feed.mastersOf('P')]).toEqual([GW]);
    expect([...feed.mastersOf('Q')]).toEqual([ROUTER]);
  });

  it('resolves a master paused by dependency to the Down sensor at the top of its chain; unknown stays unknown', () => {
    const { feed, set } = setup();
    expect(feed.resolve(ROUTER)).toBeUndefined();
    set(GW, { state: 'down' });
    set(SWITCH, { state: 'paused', pauseReason: 'dependency' });
    set(ROUTER, { state: 'paused', pauseReason: 'dependency' });
    expect(feed.resolve(GW)).toEqual({ state: 'down' });
    expect(feed.resolve(ROUTER)).toEqual({ state: 'paused', pauseReason: 'dependency', pausedBy: GW });
    // The gateway's status is not known (its probe disconnected, say): the pause passes nothing on.
    set(GW, { state: 'unknown' });
    expect(feed.resolve(ROUTER)).toEqual({ state: 'paused', pauseReason: 'dependency' });
    set(ROUTER, { state: 'paused', pauseReason: 'maintenance' });
    expect(feed.resolve(ROUTER)).toEqual({ state: 'paused', pauseReason: 'maintenance' });
  });

  it('sends a change only to the probes that name it, a burst as one message per probe', async () => {
    const { feed, sent, set } = setup();
    set(GW, { state: 'down' });
    set(ROUTER, { state: 'up' });
    feed.changed(GW);
    feed.changed(ROUTER);
    feed.changed(SWITCH);
    feed.changed(GW);
    await tick();
    expect(sent.map((s) => [s.probe, s.m.masters])).toEqual([
      ['P', [{ id: GW, state: 'down' }]],
      ['Q', [{ id: ROUTER, state: 'up' }]],
    ]);
  });

  it('resends every probe all its masters every refresh interval, and nothing once stopped', async () => {
    const { feed, sent, clock } = setup();
    feed.start();
    await clock.advance(10_000);
    expect(sent.map((s) => [s.probe, s.m.masters.map((x) => [x.id, x.state])])).toEqual([
      ['P', [[GW, 'unknown']]],
      ['Q', [[ROUTER, 'unknown']]],
    ]);
    feed.stop();
    feed.changed(GW);
    feed.sendAll('P');
    await clock.advance(60_000);
    await tick();
    expect(sent).toHaveLength(2);
  });
});
