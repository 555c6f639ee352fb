import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsaf } from '../feeds/csaf/csaf.ts';
import type { CsafAdvisory } from '../feeds/csaf/csaf.ts';
import { parseKevText } from '../feeds/kev/kev.ts';
import { parseNvdText } from '../feeds/nvd/parse.ts';
import { parseOsvText } from '../feeds/osv/osv.ts';
import { matchInventory } from './all.ts';
import type { SubjectComponent } from './all.ts';
import { buildVulnDb } from './db.ts';

const read = (p: string): string => readFileSync(new URL(p, import.meta.url), 'utf8');
function ok<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}
const nvd = ok(parseNvdText(read('../feeds/nvd/__fixtures__/dcmtk-2022.json')));
const osv = ok(parseOsvText(read('../feeds/osv/__fixtures__/GHSA-35jh-r3h4-6jhm.json'))).map((x) => x.record);
const icsma = ok(parseCsaf(JSON.parse(read('../feeds/csaf/__fixtures__/icsma-22-174-01.json'))));
const kev = [...ok(parseKevText(read('../feeds/kev/__fixtures__/kev.json'))).entries.values()];

function csaf(products: unknown[], status: Record<string, string[]>, id = 'ACME-2026-01'): CsafAdvisory {
  return ok(parseCsaf({
    document: { category: 'csaf_security_advisory', csaf_version: '2.0', title: 'Acme advisory', publisher: { name: 'Acme Medical' }, tracking: { id, current_release_date: '2026-01-01T00:00:00Z' } },
    product_tree: { branches: [{ category: 'vendor', name: 'Acme Medical', branches: products }] },
    vulnerabilities: [{ cve: 'CVE-2026-0001', product_status: status, remediations: [{ category: 'vendor_fix', details: 'Install 5.3', product_ids: Object.values(status).flat() }] }],
  }));
}

const db = buildVulnDb(nvd, osv, [icsma], kev);
const run = (cs: SubjectComponent[], d = db, manufacturer?: string) => matchInventory(cs, d, manufacturer).map((m) => ({ ...m, title: undefined }));

describe('matchInventory: DCMTK through NVD and CSAF, lodash through OSV', () => {
  it('finds CVE-2022-2119/2120/2121 for DCMTK 3.6.6 by CPE and by the CSAF "< 3.6.7" range, merged, with why and remediations', () => {
    const m = run([{ id: 'dcmtk', name: 'DCMTK', version: '3.6.6', supplier: 'OFFIS e.V.', cpe: 'cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*' }]);
    expect(m.map((x) => [x.vulnId, x.status, x.why.map((w) => `${w.rule} ${w.source} ${w.criteria} ${w.range}`)])).toEqual([
      ['CVE-2022-2119', 'affected', ['cpe NVD cpe:2.3:a:offis:dcmtk:*:*:*:*:*:*:*:* < 3.6.7', 'csaf CSAF ICSMA-22-174-01 vendor OFFIS, product DCMTK < 3.6.7']],
      ['CVE-2022-2120', 'affected', ['cpe NVD cpe:2.3:a:offis:dcmtk:*:*:*:*:*:*:*:* < 3.6.7', 'csaf CSAF ICSMA-22-174-01 vendor OFFIS, product DCMTK < 3.6.7']],
      ['CVE-2022-2121', 'affected', ['cpe NVD cpe:2.3:a:offis:dcmtk:*:*:*:*:*:*:*:* < 3.6.7', 'csaf CSAF ICSMA-22-174-01 vendor OFFIS, product DCMTK < 3.6.7']],
    ]);
    expect(m[0]!.remediations).toEqual([{ category: 'vendor_fix', details: 'OFFIS recommends updating to DCMTK 3.6.7.', url: 'https://dicom.offis.de/dcmtk.php.en', productIds: ['CSAFPID-0001'] }]);
    expect(m[0]!.cvss).toMatchObject({ version: '3.1', baseScore: 7.5, source: 'nvd@nist.gov' });
  });
  it.each([['3.6.7', 0], ['3.6.8', 0], ['3.6.6', 3], ['3.6.7-rc1', 3], ['3.5.4', 3]])('DCMTK %s named only by supplier and name → %i certain findings', (version, n) => {
    const m = run([{ id: 'd', name: 'DCMTK', version, supplier: 'OFFIS e.V.' }]);
    expect(m.filter((x) => x.status === 'affected')).toHaveLength(n);
    expect(m).toHaveLength(n);
  });
  it('says "possible" and why when the vendor is not stated or the version cannot be compared', () => {
    const noVendor = run([{ id: 'd', name: 'dcmtk', version: '3.6.6' }]);
    expect(noVendor[0]).toMatchObject({ status: 'possible', reasons: ['the criteria needs vendor "offis", the component does not say', 'the advisory names vendor "OFFIS", the component does not say'] });
    const vendorString = run([{ id: 'd', name: 'DCMTK', version: 'VA20A', supplier: 'OFFIS' }]);
    expect(vendorString[0]!.reasons).toEqual(['version "VA20A" cannot be compared with the range < 3.6.7', 'version "VA20A" cannot be compared with "< 3.6.7"']);
    const noVersion = run([{ id: 'd', name: 'DCMTK', supplier: 'OFFIS' }]);
    expect(noVersion[0]!.status).toBe('possible');
    expect(noVersion[0]!.reasons).toContain('the component has no version to compare with "< 3.6.7"');
  });
  it('does not take another vendor\'s DCMTK for OFFIS\'s', () => {
    expect(run([{ id: 'd', name: 'DCMTK', version: '3.6.6', supplier: 'Someone Else', vendor: 'someone' }])).toEqual([]);
  });
  it.each<[string, string | undefined, string | undefined]>([
    ['pkg:npm/lodash@4.17.20', undefined, 'affected'], ['pkg:npm/lodash@4.17.21', undefined, undefined], ['pkg:npm/lodash', '4.17.20', 'affected'],
    ['pkg:npm/lodash', undefined, 'possible'], ['pkg:npm/lodash@5.0.0', undefined, undefined], ['pkg:pypi/lodash@1.0', undefined, undefined],
    ['pkg:npm/lodash.template@4.5.0', undefined, 'affected'], ['pkg:npm/lodash.template@4.5.1', undefined, undefined],
  ])('OSV: %s (version %s) → %s', (purl, version, status) => {
    const m = run([{ id: 'l', name: 'lodash', purl, version }]);
    expect(m[0]?.status).toBe(status);
    if (status !== undefined) {
      expect(m[0]).toMatchObject({ vulnId: 'CVE-2021-23337', aliases: ['GHSA-35jh-r3h4-6jhm'] });
      expect(m[0]!.cvss?.baseScore).toBe(7.2);
    }
  });
  it('records which OSV rule matched: the purl of the package, or the ecosystem name', () => {
    expect(run([{ id: 'l', name: 'lodash', purl: 'pkg:npm/lodash@4.17.20' }])[0]!.why).toEqual([{ rule: 'purl', source: 'OSV GHSA-35jh-r3h4-6jhm', criteria: 'pkg:npm/lodash', range: 'SEMVER: introduced 0, fixed 4.17.21' }]);
    expect(run([{ id: 'l', name: 'x', purl: 'pkg:npm/lodash.template@1.0.0' }])[0]!.why[0]).toMatchObject({ rule: 'osv', criteria: 'npm lodash.template', range: 'SEMVER: introduced 0, last_affected 4.5.0' });
  });
});

describe('matchInventory: OSV ranges and versions lists', () => {
  const rec = (extra: Record<string, unknown>) => ok(parseOsvText(JSON.stringify({ id: 'OSV-2026-1', modified: '2026-01-01T00:00:00Z', aliases: [], ...extra })))[0]!.record;
  const eco = rec({ affected: [{ package: { ecosystem: 'Debian:12', name: 'dcmtk' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '3.6.0' }, { fixed: '3.6.2' }, { introduced: '3.6.4' }, { last_affected: '3.6.6' }] }] }] });
  const listed = rec({ id: 'OSV-2026-2', affected: [{ package: { ecosystem: 'PyPI', name: 'Py_Dicom' }, versions: ['2.0.0', '2.1.0'] }] });
  const gitOnly = rec({ id: 'OSV-2026-3', affected: [{ package: { ecosystem: 'npm', name: 'viewer' }, ranges: [{ type: 'GIT', repo: 'https://example.org/viewer', events: [{ introduced: 'abc' }, { fixed: 'def' }] }] }] });
  const withdrawn = rec({ id: 'OSV-2026-4', withdrawn: '2026-02-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'viewer' }, versions: ['1.0.0'] }] });
  const d = buildVulnDb([], [eco, listed, gitOnly, withdrawn], [], []);
  it.each([['3.5.9', undefined], ['3.6.0', 'affected'], ['3.6.1', 'affected'], ['3.6.2', undefined], ['3.6.3', undefined], ['3.6.4', 'affected'], ['3.6.6', 'affected'], ['3.6.6.1', undefined], ['3.6.7', undefined]])('ECOSYSTEM Debian dcmtk %s → %s', (version, status) => {
    expect(run([{ id: 'd', name: 'dcmtk', purl: `pkg:deb/debian/dcmtk@${version}?distro=bookworm` }], d)[0]?.status).toBe(status);
  });
  it('matches exact versions lists with PyPI name normalisation, and never withdrawn records', () => {
    expect(run([{ id: 'p', name: 'pydicom', purl: 'pkg:pypi/py-dicom@2.1.0' }], d).map((m) => [m.vulnId, m.status, m.why[0]!.range])).toEqual([['OSV-2026-2', 'affected', 'versions 2.0.0, 2.1.0']]);
    expect(run([{ id: 'p', name: 'pydicom', purl: 'pkg:pypi/py-dicom@2.2.0' }], d)).toEqual([]);
    expect(run([{ id: 'v', name: 'viewer', purl: 'pkg:npm/viewer@1.0.0' }], buildVulnDb([], [withdrawn], [], []))).toEqual([]);
  });
  it('reports a package with only GIT ranges as possible, "cannot be compared", with or without a version', () => {
    expect(run([{ id: 'v', name: 'viewer', purl: 'pkg:npm/viewer@1.0.0' }], d)).toMatchObject([{
      vulnId: 'OSV-2026-3', status: 'possible', why: [{ rule: 'osv', source: 'OSV OSV-2026-3', criteria: 'npm viewer', range: 'commits (GIT https://example.org/viewer: introduced abc, fixed def)' }],
      reasons: ['version "1.0.0" cannot be compared with commits (GIT https://example.org/viewer: introduced abc, fixed def)'],
    }]);
    expect(run([{ id: 'v', name: 'viewer', purl: 'pkg:npm/viewer' }], d)).toMatchObject([{
      vulnId: 'OSV-2026-3', status: 'possible',
      reasons: ['the component has no version to compare with commits (GIT https://example.org/viewer: introduced abc, fixed def)'],
    }]);
    // A versions list next to the GIT range decides on its own: not listed is not affected.
    const listedToo = rec({ id: 'OSV-2026-5', affected: [{ package: { ecosystem: 'npm', name: 'viewer' }, versions: ['0.9.0'], ranges: [{ type: 'GIT', repo: 'https://example.org/viewer', events: [{ introduced: 'abc' }] }] }] });
    expect(run([{ id: 'v', name: 'viewer', purl: 'pkg:npm/viewer@1.0.0' }], buildVulnDb([], [listedToo], [], []))).toEqual([]);
    expect(run([{ id: 'v', name: 'viewer', purl: 'pkg:npm/viewer@0.9.0' }], buildVulnDb([], [listedToo], [], []))[0]?.status).toBe('affected');
  });
});

describe('matchInventory: CSAF products', () => {
  const exact = csaf([{ category: 'product_name', name: 'CT Console', branches: [
    { category: 'product_version', name: '5.2', product: { name: 'CT Console 5.2', product_id: 'P1' } },
    { category: 'product_version', name: '5.3', product: { name: 'CT Console 5.3', product_id: 'P2' } },
  ] }], { known_affected: ['P1'], fixed: ['P2'] });
  const d1 = buildVulnDb([], [], [exact], []);
  it.each([['5.2', 'affected'], ['5.2.0', 'affected'], ['5.3', undefined], ['5.1', undefined]])('device model CT Console %s → %s', (version, status) => {
    expect(run([{ id: '(device)', name: 'CT Console', version, supplier: 'Acme Medical' }], d1)[0]?.status).toBe(status);
  });
  it('uses the device manufacturer when the component names no supplier', () => {
    expect(run([{ id: '(device)', name: 'CT Console', version: '5.2' }], d1, 'Acme Medical Systems GmbH')[0]?.status).toBe('affected');
    expect(run([{ id: '(device)', name: 'CT Console', version: '5.2' }], d1, 'Other Corp')).toEqual([]);
  });
  it('matches by model number, by purl helper and reports under_investigation as possible', () => {
    const adv = csaf([
      { category: 'product_name', name: 'Infusion Pump', branches: [{ category: 'product_version_range', name: 'versions prior to R12.1 SP3', product: { name: 'Pump', product_id: 'P1', product_identification_helper: { model_numbers: ['IP-3000'] } } }] },
      { category: 'product_name', name: 'viewer-lib', branches: [{ category: 'product_version_range', name: 'vers:npm/>=2.0.0|<2.4.0', product: { name: 'viewer-lib', product_id: 'P2', product_identification_helper: { purl: 'pkg:npm/%40acme/viewer-lib' } } }] },
      { category: 'product_name', name: 'Gateway', branches: [{ category: 'product_version', name: '1.0', product: { name: 'Gateway 1.0', product_id: 'P3' } }] },
    ], { known_affected: ['P1', 'P2'], under_investigation: ['P3'] });
    const d = buildVulnDb([], [], [adv], []);
    expect(run([{ id: 'p', name: 'IP-3000', version: 'R12.1 SP2', supplier: 'Acme Medical' }], d)[0]).toMatchObject({ status: 'affected', why: [{ rule: 'csaf', range: 'versions prior to R12.1 SP3' }] });
    expect(run([{ id: 'p', name: 'IP-3000', version: 'R12.1 SP3', supplier: 'Acme Medical' }], d)).toEqual([]);
    expect(run([{ id: 'v', name: 'something', purl: 'pkg:npm/%40acme/viewer-lib@2.3.9', version: '2.3.9' }], d)[0]).toMatchObject({ status: 'affected', why: [{ rule: 'purl', criteria: 'pkg:npm/%40acme/viewer-lib' }] });
    expect(run([{ id: 'v', name: 'something', purl: 'pkg:npm/%40acme/viewer-lib@2.4.0', version: '2.4.0' }], d)).toEqual([]);
    expect(run([{ id: 'g', name: 'Gateway', version: '1.0', supplier: 'Acme Medical' }], d)[0]).toMatchObject({ status: 'possible', reasons: ['ACME-2026-01 lists the product as under investigation'] });
  });
  it('reports an unreadable range as possible with the reason', () => {
    const adv = csaf([{ category: 'product_name', name: 'CT Console', branches: [{ category: 'product_version_range', name: 'shipped before 2024', product: { name: 'x', product_id: 'P1' } }] }], { known_affected: ['P1'] });
    const m = run([{ id: 'c', name: 'CT Console', version: '5.2', supplier: 'Acme Medical' }], buildVulnDb([], [], [adv], []));
    expect(m[0]!.status).toBe('possible');
    expect(m[0]!.reasons[0]).toMatch(/^the version range "shipped before 2024" is not in a form Wardwatch reads/);
  });
});
