// A change the engine refuses after it passed the checks: the config service is all or nothing as
// the user sees it — no file write, no saved version, the engine back on the previous tree, and
// the API answers a problem saying nothing was changed.

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tree } from '../../src/core/tree.ts';
import { startHarness, type Harness } from './harness.ts';

const DEVICE = 'site-a/p1/icu/monitor-1';

describe('a failed engine apply changes nothing', () => {
  let h: Harness;
  let fileBefore: string;
  /** Trees with a node named "Refused": the engine takes them, then the step after it throws. */
  const refuses = (t: Tree) => [...t.nodes.values()].some((n) => n.name === 'Refused');
  beforeAll(async () => {
    h = await startHarness({
      file: true,
      apply: async (t, inner) => {
        await inner(t);
        if (refuses(t)) throw new Error('engine: sensor "Refused" cannot be scheduled');
      },
    });
    fileBefore = await readFile(h.configPath!, 'utf8');
  });
  afterAll(async () => h?.close());

  it('answers a problem naming the cause, and keeps file, version and engine as they were', async () => {
    const version = h.config.current().version;
    const saved = (await h.store.latestConfig())?.version;
    const r = await h.call('administrator', 'POST', '/api/nodes', { parent: DEVICE, type: 'sensor', entry: { name: 'Refused', kind: 'fake' } });
    expect(r.statusCode).toBe(500);
    expect(r.json()).toMatchObject({ code: 'CONFIG_NOT_APPLIED', detail: `the change could not be put into service (engine: sensor "Refused" cannot be scheduled): nothing was changed, v${version} stays in force` });
    expect(await readFile(h.configPath!, 'utf8')).toBe(fileBefore);
    expect((await h.store.latestConfig())?.version).toBe(saved);
    expect(h.config.current().version).toBe(version);
    // The engine had taken the tree before the failure: it is back on the previous one.
    expect(h.tree().nodes.has(`${DEVICE}/refused`)).toBe(false);
    expect(h.engine.status(`${DEVICE}/refused`)).toBeUndefined();
  });

  it('refuses an import the same way, then takes the next good change', async () => {
    const version = h.config.current().version;
    const r = await h.call('administrator', 'POST', '/api/config/import', fileBefore.replace('name: Echo', 'name: Refused'));
    expect(r.statusCode).toBe(500);
    expect(r.json<{ code: string }>().code).toBe('CONFIG_NOT_APPLIED');
    expect(await readFile(h.configPath!, 'utf8')).toBe(fileBefore);
    expect(h.config.current().version).toBe(version);
    expect(h.tree().nodes.has('site-a/p1/pacs/archive/echo')).toBe(true);

    const ok = await h.call('administrator', 'POST', '/api/nodes', { parent: DEVICE, type: 'sensor', entry: { name: 'Accepted', kind: 'fake' } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json<{ version: number }>().version).toBe(version + 1);
    expect(await readFile(h.configPath!, 'utf8')).toMatch(/name: Accepted/);
    expect(h.engine.status(`${DEVICE}/accepted`)?.state).toBe('unknown');
  });
});
