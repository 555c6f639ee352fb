// Probe disconnect as a state alerting can use: health sensors Down, the rest paused by dependency.

import { describe, expect, it } from 'vitest';
import type { SensorStatus, StateEvent } from '../core/model.ts';
import { ManualClock } from '../shared/clock.ts';
import { ProbeWatch } from './watch.ts';

function setup() {
  const clock = new ManualClock();
  const events: { e: StateEvent; s: SensorStatus }[] = [];
  const w = new ProbeWatch({
    clock,
    heartbeatMs: 1000,
    sensorsOf: () => ({ sensors: ['b/health', 'b/pacs'], healthSensors: new Set(['b/health']) }),
    onEvents: (list) => events.push(...list),
  });
  w.start();
  return { clock, events, w };
}

describe('ProbeWatch', () => {
  it('marks a silent probe disconnected: its health sensor Down, its other sensors paused by dependency', async () => {
    const { clock, events, w } = setup();
    w.alive('B');
    w.report('B', 'b/health', { state: 'up', failures: 0, since: clock.now() });
    w.report('B', 'b/pacs', { state: 'up', failures: 0, since: clock.now() });
    await clock.advance(2500);
    expect(events).toEqual([]);
    expect(w.health('B')?.connected).toBe(true);
    // Three intervals without a sign of life, noticed at the next sweep (t = 4000).
    await clock.advance(2000);
    expect(w.health('B')).toMatchObject({ connected: false, disconnectedSince: clock.now() - 500 });
    expect(w.statusOf('b/health')).toMatchObject({ state: 'down', error: 'PROBE_DISCONNECTED' });
    expect(w.statusOf('b/pacs')).toMatchObject({ state: 'paused', pauseReason: 'dependency' });
    expect(events.map((x) => `${x.e.sensorId} ${x.e.from}→${x.e.to} ${x.e.reason}`)).toEqual(['b/health up→down probe B disconnected', 'b/pacs up→paused probe B disconnected']);
    w.stop();
  });

  it('restores the reported states when the probe is heard again', async () => {
    const { clock, events, w } = setup();
    w.alive('B');
    w.report('B', 'b/pacs', { state: 'warning', failures: 0, since: clock.now() });
    await clock.advance(5000);
    events.length = 0;
    w.alive('B');
    expect(w.statusOf('b/pacs')?.state).toBe('warning');
    expect(events.map((x) => `${x.e.sensorId} ${x.e.from}→${x.e.to}`)).toEqual(['b/health down→unknown', 'b/pacs paused→warning']);
    w.stop();
  });
  it('never lets a status from an older check replace a newer one (messages applied out of order)', () => {
    const { w } = setup();
    w.alive('B');
    w.report('B', 'b/pacs', { state: 'down', failures: 3, since: 2000, lastCheck: 2000 });
    w.report('B', 'b/pacs', { state: 'up', failures: 0, since: 1000, lastCheck: 1000 });
    expect(w.statusOf('b/pacs')).toMatchObject({ state: 'down', lastCheck: 2000 });
    w.report('B', 'b/pacs', { state: 'up', failures: 0, since: 3000, lastCheck: 3000 });
    expect(w.statusOf('b/pacs')).toMatchObject({ state: 'up', lastCheck: 3000 });
    w.stop();
  });
});
