import { describe, expect, it } from 'vitest';
import type { ChannelSpec } from './model.ts';
import { ancestorOfType, clinicalSystemOf, effectiveChannels, pathOf, resolveSettings, sensorsOf, type InheritableSettings, type Tree, type TreeNode } from './tree.ts';

function tree(layers: { defaults?: InheritableSettings; site?: InheritableSettings; probe?: InheritableSettings; outer?: InheritableSettings; inner?: InheritableSettings; device?: InheritableSettings; sensor?: InheritableSettings }, timezone = 'Europe/Berlin'): Tree {
  const n: TreeNode[] = [
    { type: 'site', id: 'site', name: 'St. Elsewhere', timezone, settings: layers.site ?? {}, children: ['probe'] },
    { type: 'probe', id: 'probe', name: 'Core probe', parentId: 'site', settings: layers.probe ?? {}, children: ['radiology'] },
    { type: 'group', id: 'radiology', name: 'Radiology', parentId: 'probe', system: 'RIS', settings: layers.outer ?? {}, children: ['pacs'] },
    { type: 'group', id: 'pacs', name: 'PACS', parentId: 'radiology', system: 'PACS', settings: layers.inner ?? {}, children: ['archive'] },
    { type: 'device', id: 'archive', name: 'Archive', parentId: 'pacs', host: '10.0.0.5', settings: layers.device ?? {}, children: ['echo', 'other'] },
    { type: 'sensor', id: 'echo', name: 'C-ECHO', parentId: 'archive', kind: 'dicom-echo', kindSettings: {}, channels: {}, settings: layers.sensor ?? {}, children: [] },
    { type: 'sensor', id: 'other', name: 'TCP', parentId: 'archive', kind: 'tcp', kindSettings: {}, channels: {}, settings: {}, children: [] },
  ];
  return { nodes: new Map(n.map((x) => [x.id, x])), roots: ['site'], maintenance: new Map(), credentials: new Map(), defaults: layers.defaults ?? {} };
}

describe('resolveSettings', () => {
  it('uses the built-in defaults and the site time zone when nothing is set', () => {
    expect(resolveSettings(tree({}), 'echo')).toEqual({ intervalS: 60, timeoutS: 10, retries: 1, tags: [], maintenance: [], paused: false, timezone: 'Europe/Berlin' });
  });
  it('the nearest level wins for interval, timeout, retries, credentials and dependency', () => {
    const t = tree({
      defaults: { intervalS: 300, retries: 2 },
      site: { intervalS: 120, credentials: 'site-snmp' },
      inner: { intervalS: 30, timeoutS: 5, dependsOn: 'core-switch' },
      device: { credentials: 'pacs-admin' },
      sensor: { retries: 0 },
    });
    expect(resolveSettings(t, 'echo')).toMatchObject({ intervalS: 30, timeoutS: 5, retries: 0, credentials: 'pacs-admin', dependsOn: 'core-switch' });
    expect(resolveSettings(t, 'other')).toMatchObject({ intervalS: 30, retries: 2, credentials: 'pacs-admin' });
    // Above the override, the outer group still has the site's values.
    expect(resolveSettings(t, 'radiology')).toMatchObject({ intervalS: 120, retries: 2, credentials: 'site-snmp' });
  });
  it('tags and maintenance windows accumulate downwards, without duplicates', () => {
    const t = tree({ defaults: { tags: ['hospital'] }, site: { tags: ['main-campus'], maintenance: ['sunday-night'] }, outer: { tags: ['radiology'] }, inner: { maintenance: ['pacs-upgrade', 'sunday-night'] }, sensor: { tags: ['dicom', 'radiology'] } });
    const s = resolveSettings(t, 'echo');
    expect(s.tags).toEqual(['hospital', 'main-campus', 'radiology', 'dicom']);
    expect(s.maintenance).toEqual(['sunday-night', 'pacs-upgrade']);
    expect(resolveSettings(t, 'other').tags).toEqual(['hospital', 'main-campus', 'radiology']);
  });
  it('a pause above pauses the subtree and cannot be undone below', () => {
    const t = tree({ outer: { paused: true }, sensor: { paused: false } });
    expect(resolveSettings(t, 'echo').paused).toBe(true);
    expect(resolveSettings(t, 'probe').paused).toBe(false);
  });
  it('the timeout never exceeds the interval', () => {
    expect(resolveSettings(tree({ site: { timeoutS: 60 }, sensor: { intervalS: 15 } }), 'echo')).toMatchObject({ intervalS: 15, timeoutS: 15 });
  });
  it('a sensor never depends on itself (a master inside the group that names it)', () => {
    const t = tree({ inner: { dependsOn: 'echo' } });
    expect(resolveSettings(t, 'echo').dependsOn).toBeUndefined();
    expect(resolveSettings(t, 'other').dependsOn).toBe('echo');
  });
  it('takes the time zone of its site', () => {
    expect(resolveSettings(tree({}, 'America/Chicago'), 'echo').timezone).toBe('America/Chicago');
  });
});

describe('tree navigation', () => {
  const t = tree({});
  it('pathOf goes root first, ancestorOfType and clinicalSystemOf find the nearest', () => {
    expect(pathOf(t, 'echo').map((n) => n.id)).toEqual(['site', 'probe', 'radiology', 'pacs', 'archive', 'echo']);
    expect(pathOf(t, 'missing')).toEqual([]);
    expect(ancestorOfType(t, 'echo', 'device')?.id).toBe('archive');
    expect(ancestorOfType(t, 'echo', 'site')?.id).toBe('site');
    expect(clinicalSystemOf(t, 'echo')).toBe('PACS');
    expect(clinicalSystemOf(t, 'radiology')).toBe('RIS');
    expect(clinicalSystemOf(t, 'probe')).toBeUndefined();
    expect(sensorsOf(t).map((s) => s.id)).toEqual(['echo', 'other']);
  });
});

describe('effectiveChannels', () => {
  const defaults: ChannelSpec[] = [
    { key: 'responseTimeMs', name: 'Response time', unit: 'ms', primary: true, limits: { upperWarning: 500 } },
    { key: 'associateMs', name: 'Associate', unit: 'ms' },
  ];
  it('applies name and limit overrides per channel, replacing the limits as a whole', () => {
    const out = effectiveChannels(defaults, { responseTimeMs: { limits: { upperError: 3000, upperErrorMessage: 'PACS too slow' } }, associateMs: { name: 'A-ASSOCIATE' }, unknown: { name: 'ignored' } });
    expect(out).toEqual([
      { key: 'responseTimeMs', name: 'Response time', unit: 'ms', primary: true, limits: { upperError: 3000, upperErrorMessage: 'PACS too slow' } },
      { key: 'associateMs', name: 'A-ASSOCIATE', unit: 'ms' },
    ]);
    expect(effectiveChannels(defaults, {})).toEqual(defaults);
  });
});
