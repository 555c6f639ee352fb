import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { scriptedKind, testEngine, treeOf } from './testing/fakes.ts';

const S = 1000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Engine with the SQLite store', () => {
  it('writes values, events and states, and a new engine on the same file resumes from them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ww-engine-'));
    dirs.push(dir);
    const path = join(dir, 'wardwatch.db');
    const k = scriptedKind('fake');
    k.script('pacs', { channels: [], error: 'ECONNREFUSED', message: '10.0.0.5:104' });
    k.script('ris', 42);
    const tree = treeOf({ sensors: [{ id: 'pacs', kind: 'fake', settings: { retries: 0 } }, { id: 'ris', kind: 'fake', settings: { intervalS: 60 } }] });

    const store = openSqliteStore({ path });
    const first = testEngine([k.kind], { writer: store, states: store });
    await first.engine.apply(tree);
    await first.engine.start();
    await first.clock.advance(180 * S);
    first.engine.acknowledge('pacs', 'night-shift', 'vendor informed');
    await first.engine.stop();
    const history = await store.history({ sensorId: 'ris', channel: 'value', from: first.clock.now() - 3600 * S, to: first.clock.now(), resolution: 'raw' });
    expect(history.points.length).toBe(3);
    expect(history.points.every((p) => p.avg === 42)).toBe(true);
    const events = await store.events({ sensorId: 'pacs' });
    expect(events.map((e) => [e.from, e.to, e.reason])).toEqual(
      expect.arrayContaining([
        ['unknown', 'down', 'ECONNREFUSED'],
        ['down', 'down', 'acknowledged by night-shift'],
      ]),
    );
    await store.close();

    const reopened = openSqliteStore({ path });
    const second = testEngine([k.kind], { writer: reopened, states: reopened, clock: new ManualClock(first.clock.now() + 600 * S) });
    await second.engine.apply(tree);
    await second.engine.start();
    expect(second.engine.status('pacs')).toMatchObject({ state: 'down', error: 'ECONNREFUSED', acknowledged: { by: 'night-shift', note: 'vendor informed' } });
    expect(second.engine.status('ris')).toMatchObject({ state: 'up', lastValues: { value: 42 } });
    await second.engine.stop();
    await reopened.close();
  });
});
