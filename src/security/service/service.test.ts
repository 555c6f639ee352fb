/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access --
   the bad-input cases edit fixture JSON in place, which is untyped by nature. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEVICE_COMPONENT } from './subjects.ts';
import { CDX, FEEDS, SPDX, harness } from './testing.ts';
import type { Harness } from './testing.ts';
import { SecurityService } from './service.ts';
import type { ImportProgress } from './service.ts';

let h: Harness;
beforeEach(() => {
  h = harness();
});
afterEach(() => h.close());
const DAY = 86_400_000;

describe('feed import', () => {
  it('detects each kind, stores in one go, reports progress, and is idempotent', async () => {
    const progress: ImportProgress[] = [];
    const r = await h.service.importFeeds([FEEDS.nvd, FEEDS.kev, FEEDS.osv, FEEDS.csaf], (p) => progress.push(p));
    expect(r.files).toEqual([
      { file: 'nvd-dcmtk.json', kind: 'nvd', records: 3 }, { file: 'kev.json', kind: 'kev', records: 2 },
      { file: 'GHSA-35jh-r3h4-6jhm.json', kind: 'osv', records: 1 }, { file: 'icsma-22-174-01.json', kind: 'csaf', records: 3 },
    ]);
    expect([r.vulns, r.kev]).toEqual([{ inserted: 5, updated: 0, unchanged: 0 }, { inserted: 2, updated: 0, unchanged: 0 }]);
    expect(progress.map((p) => `${p.phase} ${p.records}${p.matched !== undefined ? ` matched ${p.matched}` : ''}`)).toEqual(['read 3', 'read 5', 'read 6', 'read 9', 'store 5', 'match 9 matched 0']);
    const again = await h.service.importFeeds([FEEDS.csaf, FEEDS.nvd, FEEDS.kev, FEEDS.osv]);
    expect([again.vulns, again.kev]).toEqual([{ inserted: 0, updated: 0, unchanged: 5 }, { inserted: 0, updated: 0, unchanged: 2 }]);
    const newer = JSON.parse(FEEDS.osv.text) as Record<string, unknown>;
    newer.modified = '2025-01-01T00:00:00Z';
    expect((await h.service.importFeeds([{ name: 'newer.json', text: JSON.stringify(newer) }])).vulns).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
  });
  it('sees feeds another process imported into the same store (the index is rebuilt on a new feeds version)', async () => {
    await h.service.setDevice({ deviceId: 'lab-1', components: [{ id: 'd', name: 'DCMTK', version: '3.6.6', supplier: 'OFFIS', dependsOn: [] }] });
    const other = new SecurityService({ store: h.store, clock: h.clock });
    await other.importFeeds([FEEDS.nvd]);
    expect((await h.service.scan()).open).toBe(3);
  });
  it('rejects the whole import when one file is malformed, naming the file and the JSON path, and stores nothing', async () => {
    await h.service.importFeeds([FEEDS.kev]);
    const bad = JSON.parse(FEEDS.nvd.text) as { vulnerabilities: Array<{ cve: Record<string, unknown> }> };
    bad.vulnerabilities[2]!.cve.published = 'last june';
    await expect(h.service.importFeeds([FEEDS.osv, { name: 'nvd-2022.json', text: JSON.stringify(bad) }])).rejects.toThrow('nvd-2022.json: vulnerabilities[2].cve.published: expected an ISO date-time, got "last june"');
    await expect(h.service.importFeeds([{ name: 'notes.json', text: '{"hello": 1}' }])).rejects.toThrow('notes.json: (top level): not a feed Wardwatch reads: expected NVD CVE JSON 2.0, the CISA KEV catalog, OSV JSON or a CSAF 2.0 document');
    await expect(h.service.importFeeds([{ name: 'cut.json', text: '{"vulnerabilities": [' }])).rejects.toThrow(/^cut\.json is not valid JSON: /);
    expect(await h.store.vulns()).toEqual([]);
    expect(await h.store.kev()).toHaveLength(2);
  });
});

describe('inventory, findings, notifications', () => {
  it('applies a model\'s SBOM to every device of the model and finds DCMTK, lodash and the KEV entry', async () => {
    await h.service.importFeeds([FEEDS.nvd, FEEDS.kev, FEEDS.osv, FEEDS.csaf]);
    const sbom = await h.service.importSbom(CDX, { model: 'CT Console' }, 'ct.cdx.json');
    expect(sbom.components).toBe(5);
    expect(sbom.ntia.components.map((g) => g.componentId)).toEqual(['console', 'zlib']);
    // The model alone (no device yet) has findings of its own.
    expect(new Set((await h.store.findings()).map((f) => f.subject))).toEqual(new Set(['model:CT Console']));
    await h.service.setDevice({ deviceId: 'ct-1', manufacturer: 'Acme Medical', model: 'CT Console', version: '5.2', components: [] });
    await h.service.setDevice({ deviceId: 'ct-2', model: 'CT Console', components: [] });
    const open = await h.store.findings({ open: true });
    expect(new Set(open.map((f) => f.subject))).toEqual(new Set(['ct-1', 'ct-2']));
    const ct1 = open.filter((f) => f.subject === 'ct-1').map((f) => `${f.componentId} ${f.vulnId} ${f.status}`).sort();
    expect(ct1).toEqual(['dcmtk CVE-2022-2119 affected', 'dcmtk CVE-2022-2120 affected', 'dcmtk CVE-2022-2121 affected', 'lodash@4.17.20 CVE-2021-23337 affected']);
    // The model's own findings closed when devices took the model over.
    expect((await h.store.findings({ subject: 'model:CT Console', open: false })).length).toBe(4);
    const kevFinding = open.find((f) => f.subject === 'ct-1' && f.vulnId === 'CVE-2022-2119')!;
    expect(kevFinding.kev).toEqual({ dateAdded: '2026-01-15', dueDate: '2026-02-05', ransomware: false });
    expect(kevFinding.runbook.type).toBe('kev');
    expect(kevFinding.runbook.steps.join('\n')).toContain('vendor fix (manufacturer): OFFIS recommends updating to DCMTK 3.6.7. — https://dicom.offis.de/dcmtk.php.en');
    // One notice per new KEV finding and per new critical one on a device (CVE-2022-2120 on a PACS
    // device is 7.5 + 1.5 = 9; the model alone is not notified), none on a rescan.
    expect(h.notices.map((n) => [n.deviceId, n.kev, n.severity, n.title.split(' ')[0]]).sort()).toEqual([
      ['ct-1', false, 'critical', 'CVE-2022-2120'], ['ct-1', true, 'critical', 'CVE-2022-2119'],
      ['ct-2', false, 'critical', 'CVE-2022-2120'], ['ct-2', true, 'critical', 'CVE-2022-2119'],
    ]);
    expect(h.notices.find((n) => n.deviceId === 'ct-1' && n.kev)!.runbook).toBe(kevFinding.runbook.steps.join('\n'));
    expect(h.notices.find((n) => n.deviceId === 'ct-1' && n.kev)!.title).toBe('CVE-2022-2119 in DCMTK 3.6.6 (known exploited): risk 10 critical');
    const before = h.notices.length;
    await h.service.scan();
    expect(h.notices).toHaveLength(before);
  });
  it('notifies an existing finding once when the KEV catalog adds it', async () => {
    await h.service.importFeeds([FEEDS.nvd]);
    await h.service.setDevice({ deviceId: 'lab-1', components: [{ id: 'd', name: 'DCMTK', version: '3.6.6', supplier: 'OFFIS', dependsOn: [] }] });
    expect(h.notices).toEqual([]);
    const r = await h.service.importFeeds([FEEDS.kev]);
    expect(r.scan).toMatchObject({ added: 0, notified: 1 });
    expect(h.notices.map((n) => [n.deviceId, n.kev, n.title])).toEqual([['lab-1', true, 'CVE-2022-2119 in DCMTK 3.6.6 (known exploited): risk 10 critical']]);
    await h.service.importFeeds([FEEDS.kev]);
    expect(h.notices).toHaveLength(1);
  });
  it('closes findings when the device is updated, and reopens them on a downgrade', async () => {
    await h.service.importFeeds([FEEDS.nvd, FEEDS.csaf]);
    const dcmtk = { id: 'dcmtk', name: 'DCMTK', supplier: 'OFFIS e.V.', dependsOn: [] };
    await h.service.setDevice({ deviceId: 'ct-1', components: [{ ...dcmtk, version: '3.6.6' }] });
    expect((await h.store.findings({ open: true })).length).toBe(3);
    await h.clock.advance(10 * DAY);
    const s = await h.service.setDevice({ deviceId: 'ct-1', components: [{ ...dcmtk, version: '3.6.7' }] });
    expect(s).toMatchObject({ open: 0, resolved: 3 });
    const closed = await h.store.findings({ open: false });
    expect(closed.map((f) => (f.resolvedAt! - f.firstSeen) / DAY)).toEqual([10, 10, 10]);
    await h.service.setDevice({ deviceId: 'ct-1', components: [{ ...dcmtk, version: '3.6.5' }] });
    expect((await h.store.findings({ open: true })).map((f) => f.resolvedAt)).toEqual([undefined, undefined, undefined]);
  });
  it('matches the device itself (model and version) against advisories that name devices', async () => {
    const adv = JSON.parse(FEEDS.csaf.text) as Record<string, any>;
    adv.document.tracking.id = 'ACME-2026-01';
    adv.product_tree.branches = [{ category: 'vendor', name: 'Acme Medical', branches: [{ category: 'product_name', name: 'CT Console', branches: [{ category: 'product_version_range', name: 'versions prior to 5.3', product: { name: 'CT Console < 5.3', product_id: 'CSAFPID-0001' } }] }] }];
    await h.service.importFeeds([{ name: 'acme.json', text: JSON.stringify(adv) }]);
    await h.service.setDevice({ deviceId: 'ct-1', manufacturer: 'Acme Medical', model: 'CT Console', version: '5.2', components: [] });
    const f = await h.store.findings();
    expect(f.map((x) => [x.componentId, x.componentName, x.vulnId])).toEqual(expect.arrayContaining([[DEVICE_COMPONENT, 'CT Console', 'CVE-2022-2119']]));
  });
  it('rejects a malformed SBOM with its path and stores nothing', async () => {
    const bad = JSON.parse(CDX) as { components: Array<Record<string, unknown>> };
    bad.components[1]!.purl = 'lodash';
    await expect(h.service.importSbom(JSON.stringify(bad), { deviceId: 'ct-1' }, 'ct.cdx.json')).rejects.toThrow('ct.cdx.json: components[1].purl: a purl starts with "pkg:": "lodash"');
    await expect(h.service.importSbom('[', { deviceId: 'ct-1' }, 'ct.cdx.json')).rejects.toThrow(/^ct\.cdx\.json is not valid JSON/);
    expect(await h.store.devices()).toEqual([]);
  });
  it('imports SPDX for a device, keeping the device\'s manufacturer and model', async () => {
    await h.service.importFeeds([FEEDS.nvd]);
    await h.store.putDevice({ deviceId: 'ct-1', manufacturer: 'Acme', model: 'CT Console', components: [] });
    const r = await h.service.importSbom(SPDX, { deviceId: 'ct-1' });
    expect(r.components).toBe(4);
    expect(await h.store.device('ct-1')).toMatchObject({ manufacturer: 'Acme', model: 'CT Console', version: '5.2', sbom: { format: 'spdx' } });
    expect((await h.store.findings()).map((f) => f.vulnId).sort()).toEqual(['CVE-2022-2119', 'CVE-2022-2120', 'CVE-2022-2121']);
  });
  it('rejects hand-entered inventories with duplicate component ids', async () => {
    await expect(h.service.setDevice({ deviceId: 'x', components: [{ id: 'a', name: 'A', dependsOn: [] }, { id: 'a', name: 'B', dependsOn: [] }] })).rejects.toThrow('device x: components[1].id "a" is used twice');
  });
});

describe('risk score in findings', () => {
  it('explains CVSS, KEV, exposure, plaintext and the clinical system', async () => {
    await h.service.importFeeds([FEEDS.nvd, FEEDS.kev]);
    h.exposure.set('ct-1', [
      { sensorId: 'ct-1/dicom-exposure', kind: 'dicom-exposure', state: 'down', error: 'EXPOSURE_DICOM_NO_TLS', message: 'no DICOM TLS on 2762' },
      { sensorId: 'ct-1/ping', kind: 'ping', state: 'up' },
    ]);
    h.exposure.set('lab-1', [{ sensorId: 'lab-1/tls', kind: 'tls-audit', state: 'unknown' }, { sensorId: 'lab-1/hl7', kind: 'hl7-exposure', state: 'down', error: 'ECONNREFUSED' }]);
    const dcmtk = [{ id: 'dcmtk', name: 'DCMTK', version: '3.6.6', supplier: 'OFFIS', dependsOn: [] }];
    await h.service.setDevice({ deviceId: 'ct-1', components: dcmtk });
    await h.service.setDevice({ deviceId: 'lab-1', components: dcmtk });
    const ct = (await h.store.findings({ subject: 'ct-1' })).find((f) => f.vulnId === 'CVE-2022-2119');
    expect(ct!.risk).toEqual({
      score: 10, severity: 'critical',
      factors: [
        { factor: 'cvss', detail: 'CVSS v3.1 base score 7.5 (nvd@nist.gov)', contribution: 7.5 },
        { factor: 'kev', detail: 'in CISA KEV since 2026-01-15: exploited in the wild', contribution: 2 },
        { factor: 'exposure', detail: 'reachable on the network (dicom-exposure ct-1/dicom-exposure: no DICOM TLS on 2762)', contribution: 1 },
        { factor: 'plaintext', detail: 'plaintext or weak transport seen', contribution: 0.5 },
        { factor: 'clinical', detail: 'clinical system PACS', contribution: 1.5 },
        { factor: 'cap', detail: 'the score is capped at 10', contribution: -2.5 },
      ],
    });
    const lab = (await h.store.findings({ subject: 'lab-1' })).find((f) => f.vulnId === 'CVE-2022-2121')!;
    expect(lab.risk.factors.map((f) => `${f.factor} ${f.contribution}`)).toEqual(['cvss 6.5', 'exposure -1', 'clinical 1']);
    expect(lab.risk).toMatchObject({ score: 6.5, severity: 'medium' });
  });
});
