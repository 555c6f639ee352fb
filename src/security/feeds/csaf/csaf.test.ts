/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access --
   the bad-input cases edit fixture JSON in place, which is untyped by nature. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsaf, parseCsafText } from './csaf.ts';

const text = readFileSync(new URL('./__fixtures__/icsma-22-174-01.json', import.meta.url), 'utf8');
const vexText = readFileSync(new URL('../../vex/__fixtures__/acme-ct-console.csaf-vex.json', import.meta.url), 'utf8');
type J = Record<string, any>;
const doc = (): J => JSON.parse(text) as J;

describe('CSAF 2.0', () => {
  it('reads ICSMA-22-174-01: the DCMTK product with its "< 3.6.7" range, statuses, scores and remediations', () => {
    const r = parseCsafText(text);
    if (!r.ok) throw new Error(r.error);
    const a = r.value;
    expect([a.id, a.modified, a.category, a.publisher]).toEqual(['ICSMA-22-174-01', '2022-06-23T00:00:00.000Z', 'csaf_security_advisory', 'CISA']);
    expect(a.products.get('CSAFPID-0001')).toMatchObject({ vendor: 'OFFIS', product: 'DCMTK', rangeText: '< 3.6.7', range: { all: false, ranges: [{ endExcluding: '3.6.7' }] } });
    expect(a.vulnerabilities.map((v) => [v.id, v.status.get('CSAFPID-0001'), v.cvss?.baseScore])).toEqual([
      ['CVE-2022-2119', 'affected', 7.5], ['CVE-2022-2120', 'affected', 7.5], ['CVE-2022-2121', 'affected', 6.5],
    ]);
    expect(a.vulnerabilities[2]!.remediations.map((x) => x.category)).toEqual(['vendor_fix', 'mitigation']);
  });
  it('reads a CSAF VEX: relationships, not-affected flags and impact statements', () => {
    const r = parseCsafText(vexText);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.products.get('CONSOLE-5.2:DCMTK')).toMatchObject({ vendor: 'OFFIS', product: 'DCMTK', version: '3.6.6', partOf: 'Acme CT Console 5.2' });
    const v = r.value.vulnerabilities[0]!;
    expect([v.status.get('CONSOLE-5.2:DCMTK'), v.flags.get('CONSOLE-5.2:DCMTK'), v.impact.get('CONSOLE-5.2:DCMTK')]).toEqual(['not_affected', 'vulnerable_code_not_in_execute_path', 'The console never runs the DCMTK tools that dereference the pointer.']);
  });
  it.each<[string, J[], unknown]>([
    ['v4 only, with its baseScore', [{ cvss_v4: { baseScore: 8.7, vectorString: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A' } }],
      { version: '4.0', baseScore: 8.7, vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A' }],
    // 7.1: FIRST's reference calculator for this vector.
    ['v4 only, no baseScore: computed from the vector', [{ cvss_v4: { vectorString: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N' } }],
      { version: '4.0', baseScore: 7.1, vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', nomenclature: 'CVSS-B' }],
    ['v4 without a baseScore and a malformed vector, and v2: v2', [{ cvss_v4: { vectorString: 'CVSS:4.0/AV:N' } }, { cvss_v2: { baseScore: 5, vectorString: 'AV:N/AC:L/Au:N/C:P/I:N/A:N' } }],
      { version: '2.0', baseScore: 5, vector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N' }],
    ['v4 and v2: v4', [{ cvss_v2: { baseScore: 5, vectorString: 'AV:N/AC:L/Au:N/C:P/I:N/A:N' } }, { cvss_v4: { vectorString: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' } }],
      { version: '4.0', baseScore: 9.3, vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', nomenclature: 'CVSS-B' }],
    ['v3 and v4: v3 stays the one used', [{ cvss_v4: { baseScore: 9.3, vectorString: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' } }, { cvss_v3: { baseScore: 7.5, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' } }],
      { version: '3.x', baseScore: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
  ])('takes the score of a vulnerability: %s', (_n, scores, cvss) => {
    const d = doc();
    d.vulnerabilities[0].scores = scores.map((x) => ({ products: ['CSAFPID-0001'], ...x }));
    const r = parseCsaf(d);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.vulnerabilities[0]!.cvss).toEqual(cvss);
  });
  it('keeps a product whose free-text range cannot be read, with the reason', () => {
    const d = doc();
    d.product_tree.branches[0].branches[0].branches[0].name = 'the ones shipped in 2021';
    const r = parseCsaf(d);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.products.get('CSAFPID-0001')!.rangeError).toMatch(/^the version range "the ones shipped in 2021" is not in a form Wardwatch reads/);
  });
  it.each<[string, (d: J) => J, string]>([
    ['CSAF 1.0', (d) => { d.document.csaf_version = '1.0'; return d; }, 'document.csaf_version: expected "2.0", got "1.0"'],
    ['no tracking id', (d) => { delete d.document.tracking.id; return d; }, 'document.tracking.id: expected a string, got nothing'],
    ['bad CVE', (d) => { d.vulnerabilities[1].cve = 'CVE-22-2120'; return d; }, 'vulnerabilities[1].cve: expected a CVE id like CVE-2022-2119, got "CVE-22-2120"'],
    ['status of an unknown product', (d) => { d.vulnerabilities[2].product_status.known_affected = ['CSAFPID-9']; return d; }, 'vulnerabilities[2].product_status.known_affected[0]: no product has the id "CSAFPID-9"'],
    ['bad remediation category', (d) => { d.vulnerabilities[0].remediations[0].category = 'patch'; return d; }, 'vulnerabilities[0].remediations[0].category: expected one of "mitigation", "no_fix_planned", "none_available", "vendor_fix", "workaround", "fix_planned", "optional_patch", got "patch"'],
    ['bad CPE helper', (d) => { d.product_tree.branches[0].branches[0].branches[0].product.product_identification_helper = { cpe: 'cpe:/a:offis' }; return d; }, 'product_tree.branches[0].branches[0].branches[0].product.product_identification_helper.cpe: not a CPE 2.3 string (must start with "cpe:2.3:"): "cpe:/a:offis"'],
  ])('rejects %s', (_n, mutate, error) => {
    expect(parseCsaf(mutate(doc()))).toEqual({ ok: false, error });
  });
});
