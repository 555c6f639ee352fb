// The contract of the security module's tables, run against SQLite and PostgreSQL alike: feed
// upserts are incremental (newer replaces, same or older is left alone) and all-or-nothing,
// inventories and findings round-trip, findings filter by subject and open.

import { expect, it } from 'vitest';
import type { KevEntry } from '../../security/feeds/kev/kev.ts';
import type { DeviceInventory, ModelInventory } from '../../security/inventory/model.ts';
import type { SecurityStore, StoredFinding, StoredVuln } from '../../security/store.ts';

const vuln = (id: string, modified: string, extra: Record<string, unknown> = {}): StoredVuln => ({ source: 'nvd', id, modified, doc: { id, lastModified: modified, ...extra } });
const kevEntry = (cveId: string, ransomware = false): KevEntry => ({ cveId, vendorProject: 'OFFIS', product: 'DCMTK', name: undefined, dateAdded: '2026-01-15', dueDate: '2026-02-05', ransomware, requiredAction: 'Apply updates.', notes: undefined });

export function finding(id: string, subject: string, open: boolean): StoredFinding {
  return {
    id, subject, deviceId: subject, componentId: 'dcmtk', componentName: 'DCMTK', componentVersion: '3.6.6', vulnId: 'CVE-2022-2119', aliases: [],
    status: 'affected', reasons: [], why: [{ rule: 'cpe', source: 'NVD', criteria: 'cpe:2.3:a:offis:dcmtk:*:*:*:*:*:*:*:*', range: '< 3.6.7' }],
    remediations: [], risk: { score: 7.5, severity: 'high', factors: [{ factor: 'cvss', detail: 'CVSS v3.1 base score 7.5', contribution: 7.5 }] },
    runbook: { type: 'standard', steps: ['Contact the manufacturer'] }, firstSeen: 1000, lastSeen: 2000, open,
    ...(open ? {} : { resolvedAt: 3000 }),
    analysis: { state: 'in_triage', responses: [], by: 'alice', at: 1500, detail: 'Röntgen 🩻 "quoted"' },
  };
}

export function runSecurityContract(store: () => SecurityStore): void {
  it('imports feed records incrementally: new inserted, newer replaced, same or older left alone', async () => {
    const progress: number[] = [];
    expect(await store().feedsVersion()).toBeUndefined();
    const first = await store().upsertFeeds([vuln('CVE-1', '2024-01-01T00:00'), vuln('CVE-2', '2024-01-01T00:00'), { ...vuln('G-1', '2024-01-01T00:00'), source: 'osv' }], [kevEntry('CVE-1')], (n) => progress.push(n));
    expect(first).toEqual({ vulns: { inserted: 3, updated: 0, unchanged: 0 }, kev: { inserted: 1, updated: 0, unchanged: 0 } });
    expect(progress.at(-1)).toBe(3);
    const v1 = await store().feedsVersion();
    expect(v1).toBeDefined();
    expect((await store().upsertFeeds([vuln('CVE-1', '2024-01-01T00:00')], [kevEntry('CVE-1')])).vulns.unchanged).toBe(1);
    expect(await store().feedsVersion()).toBe(v1);
    const again = await store().upsertFeeds([vuln('CVE-1', '2024-01-01T00:00', { changed: true }), vuln('CVE-2', '2023-12-01T00:00'), vuln('CVE-2', '2024-02-01T00:00', { v: 2 })], [kevEntry('CVE-1'), kevEntry('CVE-3', true)]);
    expect(again).toEqual({ vulns: { inserted: 0, updated: 1, unchanged: 1 }, kev: { inserted: 1, updated: 0, unchanged: 1 } });
    expect(await store().feedsVersion()).not.toBe(v1);
    const all = await store().vulns();
    expect(all.map((v) => [v.source, v.id, v.modified])).toEqual([['nvd', 'CVE-1', '2024-01-01T00:00'], ['nvd', 'CVE-2', '2024-02-01T00:00'], ['osv', 'G-1', '2024-01-01T00:00']]);
    expect(all[0]!.doc).toEqual({ id: 'CVE-1', lastModified: '2024-01-01T00:00' });
    expect(all[1]!.doc).toEqual({ id: 'CVE-2', lastModified: '2024-02-01T00:00', v: 2 });
    expect((await store().vulns('osv')).map((v) => v.id)).toEqual(['G-1']);
    expect((await store().kev()).map((k) => [k.cveId, k.ransomware])).toEqual([['CVE-1', false], ['CVE-3', true]]);
    const updatedKev = await store().upsertFeeds([], [kevEntry('CVE-1', true)]);
    expect(updatedKev.kev).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
  });

  it('round-trips device and model inventories and replaces them in place', async () => {
    const dev: DeviceInventory = {
      deviceId: 'ct-1', manufacturer: 'Acme Medical', model: 'CT Console', version: '5.2',
      components: [{ id: 'dcmtk', name: 'DCMTK', version: '3.6.6', supplier: 'OFFIS e.V.', cpe: 'cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', dependsOn: ['openssl'], endOfSupport: '2030-12-31' }],
      sbom: { format: 'cyclonedx', specVersion: '1.5', lifecycles: ['build'], author: 'Acme' },
    };
    const model: ModelInventory = { name: 'CT Console', manufacturer: 'Acme Medical', components: [{ id: 'lodash', name: 'lodash', purl: 'pkg:npm/lodash@4.17.20', dependsOn: [] }] };
    expect(await store().device('ct-1')).toBeUndefined();
    await store().putDevice(dev);
    await store().putDevice({ ...dev, deviceId: 'ct-2' });
    await store().putModel(model);
    expect(await store().device('ct-1')).toEqual(dev);
    expect(await store().model('CT Console')).toEqual(model);
    await store().putDevice({ ...dev, version: '5.3' });
    expect((await store().devices()).map((d) => [d.deviceId, d.version])).toEqual([['ct-1', '5.3'], ['ct-2', '5.2']]);
    expect(await store().deleteDevice('ct-2')).toBe(true);
    expect(await store().deleteDevice('ct-2')).toBe(false);
    expect((await store().models()).map((m) => m.name)).toEqual(['CT Console']);
  });

  it('saves findings by id and filters them by subject and open', async () => {
    await store().saveFindings([finding('a', 'ct-1', true), finding('b', 'ct-1', false), finding('c', 'mr-1', true)]);
    expect(await store().finding('a')).toEqual(finding('a', 'ct-1', true));
    expect((await store().findings()).map((f) => f.id)).toEqual(['a', 'b', 'c']);
    expect((await store().findings({ subject: 'ct-1' })).map((f) => f.id)).toEqual(['a', 'b']);
    expect((await store().findings({ open: true })).map((f) => f.id)).toEqual(['a', 'c']);
    expect((await store().findings({ subject: 'ct-1', open: false })).map((f) => f.id)).toEqual(['b']);
    await store().saveFindings([finding('a', 'ct-1', false)]);
    expect((await store().findings({ open: true })).map((f) => f.id)).toEqual(['c']);
    expect(await store().finding('zzz')).toBeUndefined();
  });

  it('keeps module tables separate from a second open (migrations run once)', async () => {
    await store().upsertFeeds([vuln('CVE-9', '2024-01-01T00:00')], []);
    expect((await store().vulns()).map((v) => v.id)).toEqual(['CVE-9']);
  });
}
