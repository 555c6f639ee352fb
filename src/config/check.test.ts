// A config document sent as JSON (the API) is checked exactly like a YAML file, errors by path.

import { describe, expect, it } from 'vitest';
import { TEST_KINDS } from './__fixtures__/kinds.ts';
import { checkConfigDocument } from './check.ts';

const doc = (sensors: unknown[]) => ({
  sites: [{ name: 'S', probes: [{ name: 'P', groups: [{ name: 'G', devices: [{ name: 'D', host: '10.0.0.1', sensors }] }] }] }],
});

describe('checkConfigDocument', () => {
  it('builds the tree from a valid document', () => {
    const r = checkConfigDocument(doc([{ name: 'Port', kind: 'portcheck', port: 104 }]), TEST_KINDS);
    expect(r.ok && r.tree.nodes.get('s/p/g/d/port')).toMatchObject({ type: 'sensor', kindSettings: { host: '10.0.0.1', port: 104 } });
  });

  it('names the field path of every error', () => {
    const r = checkConfigDocument(doc([{ name: 'Port', kind: 'portcheck', port: 'abc' }, { name: 'Port', kind: 'portcheck', port: 1 }]), TEST_KINDS);
    expect(r).toEqual({ ok: false, errors: [{ path: 'sites[0].probes[0].groups[0].devices[0].sensors[0].port', message: 'expected integer 1–65535, got "abc"' }] });
    const dup = checkConfigDocument(doc([{ name: 'Port', kind: 'portcheck', port: 2 }, { name: 'Port', kind: 'portcheck', port: 1 }]), TEST_KINDS);
    expect(dup).toEqual({
      ok: false,
      errors: [{ path: 'sites[0].probes[0].groups[0].devices[0].sensors[1].name', message: 'duplicate id "s/p/g/d/port" (also at sites[0].probes[0].groups[0].devices[0].sensors[0].name)' }],
    });
  });

  it('refuses a document that is not a mapping', () => {
    expect(checkConfigDocument([1, 2], TEST_KINDS)).toEqual({ ok: false, errors: [{ path: '', message: 'expected a mapping with at least "sites" at the top level, got a list' }] });
    expect(checkConfigDocument({}, TEST_KINDS)).toEqual({ ok: false, errors: [{ path: 'sites', message: 'missing required key "sites"' }] });
  });

  it('lets a group depend on one of its own sensors (the master does not pause itself)', () => {
    const d = doc([{ name: 'Master', kind: 'synthetic' }, { name: 'Other', kind: 'synthetic' }]);
    const group = d.sites[0]!.probes[0]!.groups[0]! as Record<string, unknown>;
    group.dependsOn = 's/p/g/d/master';
    const r = checkConfigDocument(d, TEST_KINDS);
    expect(r.ok ? 'ok' : r.errors).toBe('ok');
  });

  it('finds a cycle between two groups', () => {
    const d = {
      sites: [{
        name: 'S',
        probes: [{
          name: 'P',
          groups: [
            { name: 'A', dependsOn: 's/p/b/d/x', devices: [{ name: 'D', host: 'h', sensors: [{ name: 'X', kind: 'synthetic' }] }] },
            { name: 'B', dependsOn: 's/p/a/d/x', devices: [{ name: 'D', host: 'h', sensors: [{ name: 'X', kind: 'synthetic' }] }] },
          ],
        }],
      }],
    };
    expect(checkConfigDocument(d, TEST_KINDS)).toEqual({ ok: false, errors: [{ path: 'sites[0].probes[0].groups[0].dependsOn', message: 'dependency cycle: s/p/a/d/x → s/p/b/d/x → s/p/a/d/x' }] });
  });
});
