// Export of a running Tree back to YAML: what it writes loads into the same Tree (round trip), and
// it leaves out what the loader would fill in anyway (slug ids, kind defaults, the device host).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Tree } from '../core/tree.ts';
import { TEST_KINDS } from './__fixtures__/kinds.ts';
import { treeToDocument } from './export.ts';
import { formatConfigError, parseConfig } from './load.ts';

function load(text: string): Tree {
  const r = parseConfig(text, 'hospital.yaml', { kinds: TEST_KINDS });
  if (!r.ok) throw new Error(r.errors.map(formatConfigError).join('\n'));
  return r.tree;
}

const good = readFileSync(join(import.meta.dirname, '__fixtures__', 'good', 'hospital.yaml'), 'utf8');

describe('treeToDocument', () => {
  it('round-trips: the exported YAML loads into the same tree', () => {
    const tree = load(good);
    const again = load(stringify(treeToDocument(tree, TEST_KINDS)));
    expect(again).toEqual(tree);
    // And exporting the reloaded tree gives the same document (the export is stable).
    expect(treeToDocument(again, TEST_KINDS)).toEqual(treeToDocument(tree, TEST_KINDS));
  });

  it('writes explicit ids only where they differ from the slug, and durations as text', () => {
    const doc = treeToDocument(load(good), TEST_KINDS) as { defaults: unknown; sites: { probes: { interval: string; groups: { id?: string; groups?: { id?: string }[] }[] }[] }[] };
    const probe = doc.sites[0]!.probes[0]!;
    expect(probe.interval).toBe('2m');
    expect(probe.groups[1]!.id).toBeUndefined();
    expect(probe.groups[1]!.groups![0]!.id).toBe('arch');
    expect(doc.defaults).toEqual({ interval: '1m', timeout: '10s', retries: 1, tags: ['hospital'] });
  });

  it('leaves out kind defaults and the device host, keeps what differs', () => {
    const tree = load(`sites:
  - name: S
    probes:
      - name: P
        groups:
          - name: G
            devices:
              - name: D
                host: 10.1.1.1
                sensors:
                  - { name: A, kind: portcheck, port: 104 }
                  - { name: B, kind: portcheck, port: 104, host: 10.1.1.2 }
                  - { name: C, kind: lookup, query: pacs.local, tries: 3 }
                  - { name: W, kind: synthetic, base: 50, amplitude: 3 }
`);
    const doc = treeToDocument(tree, TEST_KINDS) as { sites: { probes: { groups: { devices: { sensors: unknown[] }[] }[] }[] }[] };
    expect(doc.sites[0]!.probes[0]!.groups[0]!.devices[0]!.sensors).toEqual([
      { name: 'A', kind: 'portcheck', port: 104 },
      { name: 'B', kind: 'portcheck', host: '10.1.1.2', port: 104 },
      { name: 'C', kind: 'lookup', query: 'pacs.local', tries: 3 },
      { name: 'W', kind: 'synthetic', amplitude: 3 },
    ]);
  });
});
