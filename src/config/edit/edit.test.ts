// Config edits as path operations: the same ops on the plain document and on the YAML text (with
// comments kept, or refused when anchors make a path mean something else), node lookup by id with
// the loader's id rules, and the node-by-node diff.

import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../load.ts';
import { scriptedKind } from '../../engine/testing/fakes.ts';
import { diffTrees } from './diff.ts';
import { locateNode } from './locate.ts';
import { createNode, deleteNode, isRefusal, updateNode } from './nodes.ts';
import { applyOps, applyOpsToYaml } from './ops.ts';

const kinds = [scriptedKind('fake').kind];
const YAML = `# top comment
sites:
  - name: St. Mary
    probes:
      - name: Core
        groups:
          - name: Radiology
            id: rad
            devices:
              - name: CT 1 # the old one
                host: 10.0.0.1
                sensors:
                  - { name: Ping, kind: fake }
`;

describe('config edits', () => {
  const doc = parse(YAML) as unknown;

  it('finds nodes by full id, explicit ids and slugs alike', () => {
    expect(locateNode(doc, 'st-mary/core/rad/ct-1/ping')).toMatchObject({ type: 'sensor', path: ['sites', 0, 'probes', 0, 'groups', 0, 'devices', 0, 'sensors', 0] });
    expect(locateNode(doc, 'st-mary/core/radiology')).toBeUndefined();
    expect(locateNode(doc, 'st-mary/core/rad/ct-1/ping/more')).toBeUndefined();
  });

  it('applies the same ops to the document and to the YAML text, keeping comments', () => {
    const plan = createNode(doc, 'st-mary/core/rad/ct-1', 'sensor', { name: 'HTTP', kind: 'fake' });
    if (isRefusal(plan)) throw new Error(plan.detail);
    expect(plan.id).toBe('st-mary/core/rad/ct-1/http');
    const next = applyOps(doc, plan.ops);
    expect(doc).toEqual(parse(YAML));
    const text = applyOpsToYaml(YAML, plan.ops, next);
    expect(text).toBeDefined();
    expect(text).toContain('# top comment');
    expect(text).toContain('# the old one');
    expect(parse(text!)).toEqual(next);
    expect(parseConfig(text!, 'x.yaml', { kinds }).ok).toBe(true);
  });

  it('keeps the id of a renamed node', () => {
    const plan = updateNode(doc, 'st-mary/core/rad/ct-1', { name: 'CT Alpha', host: null });
    if (isRefusal(plan)) throw new Error(plan.detail);
    const next = applyOps(doc, plan.ops);
    expect(locateNode(next, 'st-mary/core/rad/ct-1')?.entry).toMatchObject({ name: 'CT Alpha', id: 'ct-1' });
    expect(locateNode(next, 'st-mary/core/rad/ct-1')?.entry).not.toHaveProperty('host');
  });

  it('refuses a YAML edit whose path an anchor would redirect, so the caller rewrites the file', () => {
    const withAnchor = `base: &b { name: X, kind: fake }\nsites:\n  - name: S\n    probes: []\n`;
    const d = parse(withAnchor, { merge: true }) as unknown;
    const ops = [{ op: 'set' as const, path: ['base', 'name'], value: 'Y' }];
    expect(applyOpsToYaml(withAnchor, ops, applyOps(d, [{ op: 'set', path: ['unrelated'], value: 1 }]))).toBeUndefined();
  });

  it('diffs two configurations node by node', () => {
    const a = parseConfig(YAML, 'a.yaml', { kinds });
    const b = parseConfig(YAML.replace('host: 10.0.0.1', 'host: 10.0.0.9').replace('{ name: Ping, kind: fake }', '{ name: Echo, kind: fake }'), 'b.yaml', { kinds });
    if (!a.ok || !b.ok) throw new Error('fixtures invalid');
    const d = diffTrees(a.tree, b.tree);
    expect(d.added.map((n) => n.id)).toEqual(['st-mary/core/rad/ct-1/echo']);
    expect(d.removed.map((n) => n.id)).toEqual(['st-mary/core/rad/ct-1/ping']);
    expect(d.changed).toEqual([{ id: 'st-mary/core/rad/ct-1', type: 'device', name: 'CT 1', fields: ['host'] }]);
    const del = deleteNode(doc, 'st-mary/core/rad/ct-1/ping');
    expect(isRefusal(del) ? del.code : del.ops).toEqual([{ op: 'delete', path: ['sites', 0, 'probes', 0, 'groups', 0, 'devices', 0, 'sensors', 0] }]);
  });
});
