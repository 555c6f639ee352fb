import { describe, expect, it } from 'vitest';
import type { ExternalStatus } from './engine.ts';
import { scriptedKind, settle, testEngine, treeOf, type SensorSpec } from './testing/fakes.ts';

const S = 1000;

// 'wan' is run elsewhere (the core, another probe): this engine only hears of its status.
const sensors: SensorSpec[] = [
  { id: 'ris', kind: 'fake', settings: { dependsOn: 'wan' } },
  { id: 'ris-worklist', kind: 'fake', settings: { dependsOn: 'ris' } },
  { id: 'lab', kind: 'fake' },
];

function externals() {
  const map = new Map<string, ExternalStatus>();
  return { map, lookup: (id: string) => map.get(id) };
}

describe('Engine: masters run elsewhere (external statuses)', () => {
  it('a Down external master pauses its dependents (transitively) with the same events as a local one; its recovery resumes and re-checks them', async () => {
    const k = scriptedKind('fake');
    const { engine, clock, events } = testEngine([k.kind]);
    const ext = externals();
    engine.setExternalStatuses(ext.lookup);
    await engine.apply(treeOf({ sensors }));
    await engine.start();
    await clock.advance(60 * S);
    expect(engine.status('ris')?.state).toBe('up');

    ext.map.set('wan', { state: 'down' });
    engine.externalChanged('wan');
    expect(engine.status('ris')).toMatchObject({ state: 'paused', pauseReason: 'dependency', message: 'Paused by dependency: master sensor wan is Down' });
    expect(engine.status('ris-worklist')).toMatchObject({ state: 'paused', pauseReason: 'dependency', message: 'Paused by dependency: master sensor wan is Down' });
    expect(engine.status('lab')?.state).toBe('up');
    const risCalls = k.calls.filter((c) => c.sensorId === 'ris').length;
    await clock.advance(120 * S);
    expect(k.calls.filter((c) => c.sensorId === 'ris').length).toBe(risCalls);

    ext.map.set('wan', { state: 'up' });
    engine.externalChanged('wan');
    await settle();
    expect(engine.status('ris')?.state).toBe('up');
    expect(engine.status('ris-worklist')?.state).toBe('up');
    expect(k.calls.filter((c) => c.sensorId === 'ris').at(-1)!.at).toBe(clock.now());
    expect(events.filter((e) => e.sensorId === 'ris').map((e) => [e.to, e.pauseReason ?? '', e.reason])).toEqual([
      ['up', '', 'OK'],
      ['paused', 'dependency', 'paused by dependency: master sensor wan is Down'],
      ['unknown', '', 'resumed (dependency ended)'],
      ['up', '', 'OK'],
    ]);
    await engine.stop();
  });

  it('never suppresses on missing news: an unknown or merely paused external master pauses nobody', async () => {
    const k = scriptedKind('fake');
    const { engine, clock } = testEngine([k.kind]);
    const ext = externals();
    ext.map.set('wan', { state: 'down' });
    engine.setExternalStatuses(ext.lookup);
    await engine.apply(treeOf({ sensors }));
    await engine.start();
    expect(engine.status('ris')?.pauseReason).toBe('dependency');
    for (const s of [undefined, { state: 'unknown' }, { state: 'paused', pauseReason: 'user' }, { state: 'paused', pauseReason: 'maintenance' }, { state: 'paused', pauseReason: 'dependency' }, { state: 'warning' }] as const) {
      ext.map.set('wan', { state: 'down' });
      engine.externalChanged('wan');
      expect(engine.status('ris')?.state).toBe('paused');
      if (s === undefined) ext.map.delete('wan');
      else ext.map.set('wan', s);
      engine.externalChanged('wan');
      await clock.advance(S);
      expect(engine.status('ris')?.state, JSON.stringify(s)).toBe('up');
    }
    // No lookup at all (a probe that never heard from the core) is the same.
    ext.map.set('wan', { state: 'down' });
    engine.externalChanged('wan');
    engine.setExternalStatuses(undefined);
    await clock.advance(S);
    expect(engine.status('ris')?.state).toBe('up');
    await engine.stop();
  });

  it('an external master paused by dependency passes the pause on, naming the Down sensor at the top of its chain', async () => {
    const k = scriptedKind('fake');
    const { engine, events } = testEngine([k.kind]);
    const ext = externals();
    engine.setExternalStatuses(ext.lookup);
    await engine.apply(treeOf({ sensors }));
    await engine.start();
    ext.map.set('wan', { state: 'paused', pauseReason: 'dependency', pausedBy: 'core-router' });
    engine.externalChanged('wan');
    expect(engine.status('ris-worklist')).toMatchObject({ state: 'paused', pauseReason: 'dependency', message: 'Paused by dependency: master sensor core-router is Down' });
    expect(events.filter((e) => e.sensorId === 'ris').at(-1)?.reason).toBe('paused by dependency: master sensor core-router is Down');
    await engine.stop();
  });

  it('local statuses win over external ones, and externalChanged of a local sensor changes nothing', async () => {
    const k = scriptedKind('fake');
    const { engine, clock } = testEngine([k.kind]);
    const local: SensorSpec[] = [{ id: 'wan', kind: 'fake', settings: { retries: 0 } }, ...sensors];
    // The lookup claims 'wan' is Down, but 'wan' runs here and is Up.
    engine.setExternalStatuses(() => ({ state: 'down' }));
    await engine.apply(treeOf({ sensors: local }));
    await engine.start();
    await clock.advance(60 * S);
    engine.externalChanged('wan');
    expect(engine.status('wan')?.state).toBe('up');
    expect(engine.status('ris')?.state).toBe('up');
    // Once 'wan' is no longer run here, the external status applies at the tree change.
    await engine.apply(treeOf({ sensors }));
    expect(engine.status('ris')).toMatchObject({ state: 'paused', pauseReason: 'dependency' });
    await engine.stop();
  });

  it('a lookup set after start decides at once; a user pause beats a dependency on an external master', async () => {
    const k = scriptedKind('fake');
    const { engine, clock } = testEngine([k.kind]);
    await engine.apply(treeOf({ sensors: [{ id: 'ris', kind: 'fake', settings: { dependsOn: 'wan', paused: true } }, { id: 'pacs', kind: 'fake', settings: { dependsOn: 'wan' } }] }));
    await engine.start();
    await clock.advance(60 * S);
    expect(engine.status('pacs')?.state).toBe('up');
    engine.setExternalStatuses(() => ({ state: 'down' }));
    expect(engine.status('pacs')).toMatchObject({ state: 'paused', pauseReason: 'dependency' });
    expect(engine.status('ris')).toMatchObject({ state: 'paused', pauseReason: 'user' });
    await engine.stop();
  });

  it('externalChanged before start or after stop does nothing; start decides from the lookup', async () => {
    const k = scriptedKind('fake');
    const { engine } = testEngine([k.kind]);
    engine.setExternalStatuses(() => ({ state: 'down' }));
    await engine.apply(treeOf({ sensors }));
    engine.externalChanged('wan');
    expect(engine.status('ris')?.state).toBe('unknown');
    await engine.start();
    expect(engine.status('ris')?.pauseReason).toBe('dependency');
    await engine.stop();
    engine.setExternalStatuses(() => ({ state: 'up' }));
    engine.externalChanged('wan');
    expect(engine.status('ris')?.state).toBe('paused');
  });
});
