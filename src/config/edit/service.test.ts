// The config service is all or nothing as the user sees it: when the engine refuses a change, or
// the version cannot be saved after the file was written, the file, the stored versions, the
// engine and the running configuration stay as they were.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tree } from '../../core/tree.ts';
import { scriptedKind } from '../../engine/testing/fakes.ts';
import { parseConfig } from '../load.ts';
import { createNode } from './nodes.ts';
import { ConfigApplyError, createConfigService } from './service.ts';

const kinds = [scriptedKind('fake').kind];
const YAML = `# kept
sites:
  - name: Site
    probes:
      - name: P
        groups:
          - name: G
            devices:
              - name: D
                host: 10.0.0.1
                sensors:
                  - { name: Ping, kind: fake }
`;
const DEVICE = 'site/p/g/d';

describe('config service atomicity', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function setup(o: { refuse?: (t: Tree) => boolean; saveFails?: () => boolean }) {
    dir = await mkdtemp(join(tmpdir(), 'ww-config-'));
    const filePath = join(dir, 'c.yaml');
    await writeFile(filePath, YAML);
    const parsed = parseConfig(YAML, filePath, { kinds });
    if (!parsed.ok) throw new Error('fixture invalid');
    const versions: number[] = [1];
    /** What the "engine" runs: every apply in order. */
    const applied: Tree[] = [];
    const svc = createConfigService({
      initial: { version: 1, document: parsed.document, tree: parsed.tree, source: filePath },
      store: {
        saveConfig: async () => {
          if (o.saveFails?.()) throw new Error('disk full');
          versions.push(versions.length + 1);
          return versions.length;
        },
      },
      apply: async (t) => {
        applied.push(t);
        if (o.refuse?.(t)) throw new Error('scheduler refused');
      },
      filePath,
      now: () => 0,
      kinds,
    });
    return { svc, filePath, versions, applied, initialTree: parsed.tree };
  }

  const add = (name: string) => (c: { document: unknown }) => createNode(c.document, DEVICE, 'sensor', { name, kind: 'fake' });

  it('applies to the engine before writing anything; a refusal leaves file and versions alone', async () => {
    const s = await setup({ refuse: (t) => t.nodes.has(`${DEVICE}/bad`) });
    await expect(s.svc.edit(add('Bad'), 'test')).rejects.toThrow(new ConfigApplyError('the change could not be put into service (scheduler refused): nothing was changed, v1 stays in force'));
    expect(await readFile(s.filePath, 'utf8')).toBe(YAML);
    expect(s.versions).toEqual([1]);
    expect(s.svc.current().version).toBe(1);
    // The engine got the new tree, then the previous one back.
    expect(s.applied.map((t) => t.nodes.has(`${DEVICE}/bad`))).toEqual([true, false]);
    expect(s.applied.at(-1)).toBe(s.initialTree);
  });

  it('puts the file and the engine back when the version cannot be saved', async () => {
    let fail = true;
    const s = await setup({ saveFails: () => fail });
    await expect(s.svc.edit(add('New'), 'test')).rejects.toThrow('the change could not be saved (disk full): nothing was changed, v1 stays in force');
    expect(await readFile(s.filePath, 'utf8')).toBe(YAML);
    expect(s.svc.current().version).toBe(1);
    expect(s.applied.at(-1)).toBe(s.initialTree);
    // The next change goes through, from the file as it was.
    fail = false;
    const ok = await s.svc.edit(add('New'), 'test');
    expect(ok.ok).toBe(true);
    expect(s.svc.current().version).toBe(2);
    expect(await readFile(s.filePath, 'utf8')).toMatch(/# kept[\s\S]*name: New/);
  });

  it('keeps the running configuration when a reloaded file is refused by the engine', async () => {
    const s = await setup({ refuse: (t) => t.nodes.has(`${DEVICE}/bad`) });
    await writeFile(s.filePath, YAML.replace('{ name: Ping, kind: fake }', '{ name: Ping, kind: fake }\n                  - { name: Bad, kind: fake }'));
    await expect(s.svc.reload()).rejects.toThrow(/could not be put into service \(scheduler refused\): v1 stays in force/);
    expect(s.versions).toEqual([1]);
    expect(s.svc.current().tree).toBe(s.initialTree);
    expect(s.applied.at(-1)).toBe(s.initialTree);
  });
});
