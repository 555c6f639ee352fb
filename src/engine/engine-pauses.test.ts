import { describe, expect, it } from 'vitest';
import type { Tree } from '../core/tree.ts';
import { phaseOf } from './scheduler.ts';
import { scriptedKind, settle, testEngine, treeOf, type SensorSpec } from './testing/fakes.ts';

const S = 1000;
const DOWN = { channels: [], error: 'ECONNREFUSED' } as const;

describe('Engine: dependencies', () => {
  const sensors: SensorSpec[] = [
    { id: 'switch', kind: 'fake', settings: { retries: 0 } },
    { id: 'ris', kind: 'fake', settings: { dependsOn: 'switch' } },
    { id: 'ris-worklist', kind: 'fake', settings: { dependsOn: 'ris' } },
  ];

  it('a Down master pauses its dependents (transitively), a recovery resumes and re-checks them at once', async () => {
    const k = scriptedKind('fake');
    const { engine, clock, events } = testEngine([k.kind]);
    await engine.apply(treeOf({ sensors }));
    await engine.start();
    await clock.advance(60 * S);
    expect(engine.status('ris')?.state).toBe('up');
    k.script('switch', DOWN);
    const due = engine.nextDue('switch')!;
    await clock.advance(due - clock.now());
    expect(engine.status('switch')?.state).toBe('down');
    expect(engine.status('ris')).toMatchObject({ state: 'paused', pauseReason: 'dependency', message: 'Paused by dependency: master sensor switch is Down' });
    expect(engine.status('ris-worklist')).toMatchObject({ state: 'paused', pauseReason: 'dependency', message: 'Paused by dependency: master sensor switch is Down' });
    const risCalls = k.calls.filter((c) => c.sensorId === 'ris').length;
    await clock.advance(120 * S);
    expect(k.calls.filter((c) => c.sensorId === 'ris').length).toBe(risCalls);
    k.script('switch', 1);
    const back = engine.nextDue('switch')!;
    await clock.advance(back - clock.now());
    expect(engine.status('switch')?.state).toBe('up');
    expect(engine.status('ris')?.state).toBe('up');
    expect(engine.status('ris-worklist')?.state).toBe('up');
    expect(k.calls.filter((c) => c.sensorId === 'ris').at(-1)!.at).toBe(back);
    expect(events.filter((e) => e.sensorId === 'ris').map((e) => [e.to, e.pauseReason ?? '', e.reason])).toEqual([
      ['up', '', 'OK'],
      ['paused', 'dependency', 'paused by dependency: master sensor switch is Down'],
      ['unknown', '', 'resumed (dependency ended)'],
      ['up', '', 'OK'],
    ]);
    await engine.stop();
  });

  it('a master paused by a user does not pause its dependents; a user pause beats a dependency pause', async () => {
    const k = scriptedKind('fake');
    const { engine, clock } = testEngine([k.kind]);
    k.script('switch', DOWN);
    await engine.apply(treeOf({ sensors }));
    await engine.start();
    await clock.advance(60 * S);
    expect(engine.status('ris')?.pauseReason).toBe('dependency');
    const paused = sensors.map((s) => (s.id === 'switch' ? { ...s, settings: { ...s.settings, paused: true } } : s));
    await engine.apply(treeOf({ sensors: paused }));
    await settle();
    expect(engine.status('switch')).toMatchObject({ state: 'paused', pauseReason: 'user' });
    // The master is merely paused: dependents resume and are checked.
    expect(engine.status('ris')?.state).toBe('up');
    expect(engine.status('ris-worklist')?.state).toBe('up');
    // Unpause the master (still failing) and pause ris itself: ris stays paused by the user.
    await engine.apply(treeOf({ sensors: sensors.map((s) => (s.id === 'ris' ? { ...s, settings: { ...s.settings, paused: true } } : s)) }));
    await settle();
    expect(engine.status('switch')?.state).toBe('down');
    expect(engine.status('ris')).toMatchObject({ state: 'paused', pauseReason: 'user' });
    // ris is paused by a user, so ris-worklist is not paused by dependency through it.
    expect(engine.status('ris-worklist')?.state).toBe('up');
    await engine.stop();
  });
});

describe('Engine: maintenance windows', () => {
  const t0 = Date.UTC(2026, 0, 5, 8, 0, 0);
  const tree = (paused = false): Tree =>
    treeOf({
      timezone: 'Europe/Berlin',
      // 09:10–09:20 Berlin time = 08:10–08:20 UTC in January.
      maintenance: [{ name: 'ct-upgrade', schedule: { type: 'once', start: '2026-01-05T09:10', end: '2026-01-05T09:20' } }],
      groupSettings: { maintenance: ['ct-upgrade'] },
      sensors: [{ id: 'ct', kind: 'fake', settings: { intervalS: 60, ...(paused ? { paused } : {}) } }, { id: 'dep', kind: 'fake', settings: { dependsOn: 'ct', maintenance: [] } }],
    });

  it('pauses exactly at the window start, resumes and re-checks exactly at its end', async () => {
    const k = scriptedKind('fake');
    const { engine, clock, events } = testEngine([k.kind]);
    await engine.apply(tree());
    await engine.start();
    await clock.advance(10 * 60 * S - 1);
    expect(engine.status('ct')?.state).toBe('up');
    await clock.advance(1);
    expect(engine.status('ct')).toMatchObject({ state: 'paused', pauseReason: 'maintenance', since: t0 + 10 * 60 * S, message: 'Paused by maintenance: maintenance window ct-upgrade' });
    const before = k.calls.filter((c) => c.sensorId === 'ct').length;
    await clock.advance(10 * 60 * S - 1);
    expect(k.calls.filter((c) => c.sensorId === 'ct').length).toBe(before);
    // dep inherits the window from its group too (maintenance accumulates): paused by maintenance, not dependency.
    expect(engine.status('dep')?.pauseReason).toBe('maintenance');
    await clock.advance(1);
    expect(engine.status('ct')?.state).toBe('up');
    expect(k.calls.filter((c) => c.sensorId === 'ct').at(-1)!.at).toBe(t0 + 20 * 60 * S);
    expect(events.filter((e) => e.sensorId === 'ct').map((e) => [e.ts - t0, e.to])).toEqual([
      [expect.any(Number), 'up'],
      [10 * 60 * S, 'paused'],
      [20 * 60 * S, 'unknown'],
      [20 * 60 * S, 'up'],
    ]);
    await engine.stop();
  });

  it('a user pause beats maintenance, which beats a dependency', async () => {
    const k = scriptedKind('fake');
    const { engine, clock } = testEngine([k.kind]);
    k.script('sw', DOWN);
    const windows = [{ name: 'ct-upgrade', schedule: { type: 'once' as const, start: '2026-01-05T09:10', end: '2026-01-05T09:20' } }];
    const at = (userPaused: boolean) =>
      treeOf({
        timezone: 'Europe/Berlin',
        maintenance: windows,
        sensors: [
          { id: 'sw', kind: 'fake', settings: { retries: 0 } },
          { id: 'ct', kind: 'fake', settings: { dependsOn: 'sw', maintenance: ['ct-upgrade'], ...(userPaused ? { paused: true } : {}) } },
        ],
      });
    await engine.apply(at(false));
    await engine.start();
    await clock.advance(60 * S);
    expect(engine.status('ct')?.pauseReason).toBe('dependency');
    await clock.advance(9 * 60 * S);
    expect(engine.status('ct')?.pauseReason).toBe('maintenance');
    await engine.apply(at(true));
    expect(engine.status('ct')?.pauseReason).toBe('user');
    await clock.advance(5 * 60 * S);
    await engine.apply(at(false));
    expect(engine.status('ct')?.pauseReason).toBe('maintenance');
    await clock.advance(5 * 60 * S);
    expect(engine.status('ct')).toMatchObject({ state: 'paused', pauseReason: 'dependency' });
    await engine.stop();
  });
});

describe('Engine: applying a new tree', () => {
  it('keeps state, memory and schedule of unchanged sensors; adds, removes and updates the others', async () => {
    const k = scriptedKind('fake');
    const listened: string[] = [];
    const closed: string[] = [];
    const lk = scriptedKind('listening', {
      listen: async (_settings, ctx) => {
        listened.push(ctx.sensorId);
        return { close: async () => void closed.push(ctx.sensorId) };
      },
    });
    const { engine, clock } = testEngine([k.kind, lk.kind]);
    k.script('keep', DOWN);
    const first: SensorSpec[] = [
      { id: 'keep', kind: 'fake', settings: { retries: 0 } },
      { id: 'gone', kind: 'fake' },
      { id: 'retuned', kind: 'fake', kindSettings: { port: 1 } },
      { id: 'slower', kind: 'fake' },
      { id: 'feed', kind: 'listening', kindSettings: { port: 2575 } },
    ];
    await engine.apply(treeOf({ sensors: first }));
    await engine.start();
    await clock.advance(60 * S);
    const keepStatus = engine.status('keep');
    const keepDue = engine.nextDue('keep');
    const keepMemory = k.calls.find((c) => c.sensorId === 'keep')!.ctx.memory;
    keepMemory.set('counter', 41);
    k.calls.find((c) => c.sensorId === 'retuned')!.ctx.memory.set('counter', 7);
    expect(listened).toEqual(['feed']);
    const second: SensorSpec[] = [
      { id: 'keep', kind: 'fake', settings: { retries: 0 } },
      { id: 'retuned', kind: 'fake', kindSettings: { port: 2 } },
      { id: 'slower', kind: 'fake', settings: { intervalS: 300 } },
      { id: 'added', kind: 'fake' },
      { id: 'feed', kind: 'listening', kindSettings: { port: 2576 } },
    ];
    await engine.apply(treeOf({ sensors: second }));
    expect(engine.status('keep')).toBe(keepStatus);
    expect(engine.nextDue('keep')).toBe(keepDue);
    expect(engine.status('gone')).toBeUndefined();
    expect(engine.nextDue('gone')).toBeUndefined();
    expect(engine.status('added')?.state).toBe('unknown');
    expect(engine.nextDue('slower')! % (300 * S)).toBe(phaseOf('slower', 300 * S));
    expect(engine.nextDue('slower')! - clock.now()).toBeLessThan(300 * S);
    expect(closed).toEqual(['feed']);
    expect(listened).toEqual(['feed', 'feed']);
    await clock.advance(60 * S);
    const calls = (id: string) => k.calls.filter((c) => c.sensorId === id);
    expect(calls('keep').at(-1)!.ctx.memory.get('counter')).toBe(41);
    expect(calls('retuned').at(-1)!.ctx.memory.get('counter')).toBeUndefined();
    expect(calls('retuned').at(-1)!.settings).toEqual({ port: 2 });
    expect(calls('gone')).toHaveLength(1);
    expect(calls('added')).toHaveLength(1);
    await engine.stop();
    expect(closed).toEqual(['feed', 'feed']);
  });

  it('an unknown kind leaves the sensor Unknown with a message, unscheduled', async () => {
    const { engine } = testEngine([]);
    await engine.apply(treeOf({ sensors: [{ id: 'x', kind: 'teleport' }] }));
    await engine.start();
    expect(engine.status('x')).toMatchObject({ state: 'unknown', error: 'BAD_SETTINGS', message: 'Unknown sensor kind "teleport"' });
    expect(engine.nextDue('x')).toBeUndefined();
    await engine.stop();
  });
});
