/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
   the bad-input cases edit fixture JSON in place, which is untyped by nature. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSbom, parseSbomText } from './parse.ts';

const cdxText = readFileSync(new URL('./__fixtures__/ct-console.cdx.json', import.meta.url), 'utf8');
const spdxText = readFileSync(new URL('./__fixtures__/ct-console.spdx.json', import.meta.url), 'utf8');
type J = Record<string, any>;
const cdx = (): J => JSON.parse(cdxText) as J;
const spdx = (): J => JSON.parse(spdxText) as J;

function ok<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('CycloneDX', () => {
  it('reads components, nested ones, identifiers, support fields and the dependency graph', () => {
    const s = ok(parseSbomText(cdxText));
    expect(s.source).toEqual({ format: 'cyclonedx', specVersion: '1.5', serial: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', author: 'Acme Medical Product Security', timestamp: '2026-03-01T10:00:00Z', lifecycles: ['build', 'operations'] });
    expect(s.subject).toEqual({ name: 'CT Console', version: '5.2', supplier: 'Acme Medical' });
    expect(s.components.map((c) => c.id)).toEqual(['console', 'dcmtk', 'lodash@4.17.20', 'openssl', 'zlib']);
    expect(s.components[1]).toEqual({
      id: 'dcmtk', name: 'DCMTK', version: '3.6.6', supplier: 'OFFIS e.V.', vendor: 'offis', purl: undefined, cpe: 'cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*',
      hashes: [], dependsOn: ['openssl'], levelOfSupport: 'actively maintained', endOfSupport: '2030-12-31',
    });
    expect(s.components[0]!.dependsOn).toEqual(['dcmtk', 'lodash@4.17.20', 'openssl']);
    expect(s.components[3]).toMatchObject({ levelOfSupport: 'no longer supported', endOfSupport: '2019-12-31' });
  });
  it('reports the NTIA minimum elements each component misses', () => {
    const s = ok(parseSbomText(cdxText));
    expect(s.ntia).toEqual({
      document: [],
      components: [
        { componentId: 'console', missing: ['unique identifier'] },
        { componentId: 'zlib', missing: ['supplier', 'version', 'unique identifier', 'dependency relationship'] },
      ],
    });
    const d = cdx();
    delete d.metadata.authors;
    delete d.metadata.manufacturer;
    delete d.metadata.timestamp;
    delete d.metadata.component.supplier;
    expect(ok(parseSbom(d)).ntia.document).toEqual(['author', 'timestamp']);
  });
  it('accepts 1.4 and 1.6 and names the JSON path of every problem', () => {
    for (const v of ['1.4', '1.6']) expect(ok(parseSbom({ ...cdx(), specVersion: v })).components).toHaveLength(5);
  });
  it.each<[string, (d: J) => J, string]>([
    ['unsupported version', (d) => ({ ...d, specVersion: '1.3' }), 'specVersion: expected one of "1.4", "1.5", "1.6", got "1.3"'],
    ['component without name', (d) => { delete d.components[1].name; return d; }, 'components[1].name: expected a string, got nothing'],
    ['nested component with a bad version', (d) => { d.components[2].components[0].version = 3; return d; }, 'components[2].components[0].version: expected a string, got 3'],
    ['bad CPE', (d) => { d.components[0].cpe = 'cpe:2.3:a:offis'; return d; }, 'components[0].cpe: a CPE 2.3 string has 11 attributes after "cpe:2.3:", got 2: "cpe:2.3:a:offis"'],
    ['bad purl', (d) => { d.components[1].purl = 'npm/lodash'; return d; }, 'components[1].purl: a purl starts with "pkg:": "npm/lodash"'],
    ['unknown dependency', (d) => { d.dependencies[1].dependsOn.push('nope'); return d; }, 'dependencies[1].dependsOn[1]: no component has the bom-ref "nope"'],
    ['duplicate bom-ref', (d) => { d.components[1]['bom-ref'] = 'dcmtk'; return d; }, 'components[1].bom-ref: "dcmtk" is used twice (also at components[0])'],
    ['bad end-of-support date', (d) => { d.components[0].properties[1].value = 'soon'; return d; }, 'components[0].properties: end-of-support date must look like 2027-12-31, got "soon"'],
    ['wrong bomFormat', (d) => ({ ...d, bomFormat: 'SPDX' }), 'bomFormat: expected "CycloneDX", got "SPDX"'],
  ])('rejects %s', (_n, mutate, error) => {
    expect(parseSbom(mutate(cdx()))).toEqual({ ok: false, error });
  });
  it('rejects text that is neither JSON nor an SBOM', () => {
    expect(parseSbomText('{', 'ct.json')).toMatchObject({ ok: false, error: expect.stringMatching(/^ct\.json is not valid JSON: /) as unknown });
    expect(parseSbom({ hello: 1 })).toEqual({ ok: false, error: '(top level): not an SBOM: expected a CycloneDX JSON document (bomFormat) or an SPDX 2.3 JSON document (spdxVersion)' });
  });
});

describe('SPDX 2.3', () => {
  it('reads packages, references, support fields and relationships both ways', () => {
    const s = ok(parseSbomText(spdxText));
    expect(s.source).toMatchObject({ format: 'spdx', specVersion: '2.3', author: 'Acme Medical', timestamp: '2026-03-01T10:00:00Z' });
    expect(s.subject).toEqual({ name: 'CT Console', version: '5.2', supplier: 'Acme Medical' });
    const byId = new Map(s.components.map((c) => [c.id, c]));
    expect(byId.get('SPDXRef-dcmtk')).toMatchObject({ supplier: 'OFFIS e.V.', vendor: 'offis', cpe: 'cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', endOfSupport: '2030-12-31', levelOfSupport: 'actively maintained', dependsOn: ['SPDXRef-lodash'] });
    expect(byId.get('SPDXRef-console')!.dependsOn).toEqual(['SPDXRef-dcmtk', 'SPDXRef-lodash']);
    expect(byId.get('SPDXRef-lodash')).toMatchObject({ purl: 'pkg:npm/lodash@4.17.20', version: '4.17.20' });
    expect(s.ntia.components).toEqual([
      { componentId: 'SPDXRef-console', missing: ['unique identifier'] },
      { componentId: 'SPDXRef-zlib', missing: ['supplier', 'version', 'unique identifier', 'dependency relationship'] },
    ]);
  });
  it.each<[string, (d: J) => J, string]>([
    ['SPDX 2.2', (d) => ({ ...d, spdxVersion: 'SPDX-2.2' }), 'spdxVersion: expected "SPDX-2.3", got "SPDX-2.2"'],
    ['bad SPDXID', (d) => { d.packages[2].SPDXID = 'lodash'; return d; }, 'packages[2].SPDXID: expected an SPDX id like SPDXRef-Package-1, got "lodash"'],
    ['bad purl locator', (d) => { d.packages[2].externalRefs[0].referenceLocator = 'pkg:'; return d; }, 'packages[2].externalRefs[0].referenceLocator: a purl needs a type made of letters, digits, ".", "+" or "-": "pkg:"'],
    ['relationship to nothing', (d) => { d.relationships[1].relatedSpdxElement = 'SPDXRef-gone'; return d; }, 'relationships[1].relatedSpdxElement: no package has the SPDXID "SPDXRef-gone"'],
    ['bad validUntilDate', (d) => { d.packages[1].validUntilDate = 'never'; return d; }, 'packages[1].validUntilDate: expected a date-time like 2027-12-31T00:00:00Z, got "never"'],
    ['no creationInfo', (d) => { delete d.creationInfo; return d; }, 'creationInfo: expected an object, got nothing'],
  ])('rejects %s', (_n, mutate, error) => {
    expect(parseSbom(mutate(spdx()))).toEqual({ ok: false, error });
  });
});
