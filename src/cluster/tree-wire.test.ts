// Which part of the tree a remote probe gets, and what the core keeps for itself.

import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../config/load.ts';
import type { Tree } from '../core/tree.ts';
import { findProbeNode, probeSubtree, treeFromJson, treeToJson, withoutProbes } from './tree-wire.ts';

function tree(): Tree {
  const probe = (name: string, creds?: string) => ({
    name,
    ...(creds ? { credentials: creds } : {}),
    groups: [{ name: 'G', system: 'other', devices: [{ name: 'D', host: '127.0.0.1', sensors: [{ name: 'S', kind: 'synthetic' }, ...(name === 'SITE-C' ? [{ name: 'H', kind: 'probe-health' }] : [])] }] }],
  });
  const doc = {
    credentials: [{ name: 'snmp-b', type: 'snmp' }, { name: 'snmp-c', type: 'snmp' }],
    sites: [
      { name: 'Main', timezone: 'Europe/Berlin', probes: [probe('Local probe'), probe('SITE-B', 'snmp-b')] },
      { name: 'Clinic', timezone: 'UTC', probes: [probe('SITE-C', 'snmp-c'), probe('Local probe')] },
    ],
  };
  const r = parseConfig(stringify(doc), 't.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.tree;
}

describe('probe subtrees', () => {
  it('finds the probe node by name and says when a name is ambiguous', () => {
    const t = tree();
    expect(findProbeNode(t, 'SITE-B').node?.id).toBe('main/site-b');
    expect(findProbeNode(t, 'Local probe').error).toBe('probe name "Local probe" matches several probe nodes (main/local-probe, clinic/local-probe): give the probe node an explicit id');
    expect(findProbeNode(t, 'clinic/local-probe').node?.id).toBe('clinic/local-probe');
    expect(findProbeNode(t, 'SITE-X')).toEqual({});
  });

  it('gives a probe its site, itself and its subtree, with only the credentials it names', () => {
    const t = tree();
    const sub = probeSubtree(t, 'main/site-b');
    expect([...sub.nodes.keys()].sort()).toEqual(['main', 'main/site-b', 'main/site-b/g', 'main/site-b/g/d', 'main/site-b/g/d/s']);
    expect(sub.nodes.get('main')!.children).toEqual(['main/site-b']);
    expect([...sub.credentials.keys()]).toEqual(['snmp-b']);
    const back = treeFromJson(JSON.parse(JSON.stringify(treeToJson(sub))) as ReturnType<typeof treeToJson>);
    expect(back.nodes.get('main/site-b/g/d/s')).toEqual(sub.nodes.get('main/site-b/g/d/s'));
  });

  it('keeps the probe-health sensors out of what the probe runs: the core writes them from heartbeats', () => {
    const t = tree();
    expect(t.nodes.has('clinic/site-c/g/d/h')).toBe(true);
    const sub = probeSubtree(t, 'clinic/site-c');
    expect([...sub.nodes.keys()].sort()).toEqual(['clinic', 'clinic/site-c', 'clinic/site-c/g', 'clinic/site-c/g/d', 'clinic/site-c/g/d/s']);
    expect(sub.nodes.get('clinic/site-c/g/d')!.children).toEqual(['clinic/site-c/g/d/s']);
  });

  it('leaves the core the tree without the remote probes', () => {
    const t = tree();
    const local = withoutProbes(t, ['main/site-b', 'clinic/site-c']);
    expect([...local.nodes.keys()].filter((k) => k.endsWith('/s')).sort()).toEqual(['clinic/local-probe/g/d/s', 'main/local-probe/g/d/s']);
    expect(local.nodes.get('main')!.children).toEqual(['main/local-probe']);
  });
});
