import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKevText } from '../feeds/kev/kev.ts';
import { parseNvd, parseNvdText } from '../feeds/nvd/parse.ts';
import type { NvdRecord } from '../feeds/nvd/parse.ts';
import { indexNvd, matchComponents } from './match.ts';
import type { MatchComponent } from './component.ts';

const nvdText = readFileSync(new URL('../feeds/nvd/__fixtures__/dcmtk-2022.json', import.meta.url), 'utf8');
const kevText = readFileSync(new URL('../feeds/kev/__fixtures__/kev.json', import.meta.url), 'utf8');

function ok<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}
const dcmtk = ok(parseNvdText(nvdText));
const kev = ok(parseKevText(kevText));

type M = { vulnerable: boolean; criteria: string; versionStartIncluding?: string; versionStartExcluding?: string; versionEndIncluding?: string; versionEndExcluding?: string };
type N = { operator: 'AND' | 'OR'; negate?: boolean; cpeMatch: M[] };
function record(id: string, configurations: Array<{ operator?: 'AND' | 'OR'; nodes: N[] }>): NvdRecord {
  return ok(parseNvd({ id, published: '2024-01-01T00:00:00', lastModified: '2024-01-01T00:00:00', descriptions: [], configurations }))[0]!;
}
const ANY_VER = (vp: string): string => `cpe:2.3:a:${vp}:*:*:*:*:*:*:*:*`;

function run(components: MatchComponent[], records: readonly NvdRecord[] = dcmtk) {
  return matchComponents(components, indexNvd(records), kev);
}

describe('matchComponents: DCMTK and CVE-2022-2119/2120/2121', () => {
  it('finds all three for dcmtk 3.6.6, with why and the KEV join', () => {
    const { findings, skipped } = run([{ id: 'c1', cpe: 'cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', version: '3.6.6' }]);
    expect(skipped).toEqual([]);
    expect(findings.map((f) => [f.cveId, f.status])).toEqual([['CVE-2022-2119', 'affected'], ['CVE-2022-2120', 'affected'], ['CVE-2022-2121', 'affected']]);
    expect(findings[0]).toEqual({
      componentId: 'c1', cveId: 'CVE-2022-2119', status: 'affected', reasons: [],
      why: { rule: 'cpe', criteria: 'cpe:2.3:a:offis:dcmtk:*:*:*:*:*:*:*:*', range: { endExcluding: '3.6.7' }, nodePath: 'configurations[0].nodes[0].cpeMatch[0]', requires: [] },
      kev: { dateAdded: '2026-01-15', dueDate: '2026-02-05', ransomware: false },
    });
    expect(findings[1]!.kev).toBeUndefined();
  });
  it.each([
    ['3.6.7', 0], ['3.6.7.1', 0], ['3.7.0', 0], ['3.6.6', 3], ['3.6.06', 3], ['3.6.7-rc1', 3], ['3.5.4', 3], ['v3.6.6', 3],
  ])('dcmtk %s → %i findings (from vendor/product, no CPE)', (version, n) => {
    const { findings } = run([{ id: 'c', vendor: 'OFFIS', product: 'DCMTK', version }]);
    expect(findings).toHaveLength(n);
    expect(findings.every((f) => f.status === 'affected')).toBe(true);
  });
  it('reports an incomparable version as possible, with the reason', () => {
    const { findings } = run([{ id: 'c', vendor: 'offis', product: 'dcmtk', version: 'VA20A' }]);
    expect(findings).toHaveLength(3);
    expect(findings[0]).toMatchObject({ status: 'possible', reasons: ['version "VA20A" cannot be compared with the range < 3.6.7'] });
  });
  it('reports a component without a vendor as possible through the product index', () => {
    const { findings } = run([{ id: 'c', product: 'dcmtk', version: '3.6.5' }]);
    expect(findings.map((f) => f.status)).toEqual(['possible', 'possible', 'possible']);
    expect(findings[0]!.reasons).toEqual(['the criteria needs vendor "offis", the component does not say']);
  });
  it('does not match other products, other vendors or a different part', () => {
    const { findings } = run([
      { id: 'a', vendor: 'offis', product: 'dcmtk-tools', version: '3.6.0' },
      { id: 'b', vendor: 'other', product: 'dcmtk', version: '3.6.0' },
      { id: 'c', cpe: 'cpe:2.3:o:offis:dcmtk:3.6.0:*:*:*:*:*:*:*', version: '3.6.0' },
    ]);
    expect(findings).toEqual([]);
  });
  it('skips components it cannot read, saying why', () => {
    expect(run([{ id: 'x', version: '1' }, { id: 'y', cpe: 'cpe:2.3:a:b', version: '1' }]).skipped).toEqual([
      { componentId: 'x', reason: 'component x has neither a CPE nor a product name' },
      { componentId: 'y', reason: 'component y: a CPE 2.3 string has 11 attributes after "cpe:2.3:", got 2: "cpe:2.3:a:b"' },
    ]);
  });
});

describe('matchComponents: bounds', () => {
  const r = record('CVE-2024-0001', [{ nodes: [{ operator: 'OR', cpeMatch: [
    { vulnerable: true, criteria: ANY_VER('acme:pacs'), versionStartIncluding: '2.0', versionEndIncluding: '2.4.1' },
    { vulnerable: true, criteria: ANY_VER('acme:pacs'), versionStartExcluding: '3.0', versionEndExcluding: '3.2' },
    { vulnerable: true, criteria: 'cpe:2.3:a:acme:pacs:5.0:sp1:*:*:*:*:*:*' },
  ] }] }]);
  it.each([
    ['1.9.9', undefined], ['2.0', 'cpe:2.3:a:acme:pacs:*:*:*:*:*:*:*:*'], ['2.4.1', 'configurations[0].nodes[0].cpeMatch[0]'], ['2.4.1.1', undefined],
    ['3.0', undefined], ['3.0.1', 'configurations[0].nodes[0].cpeMatch[1]'], ['3.1.99', 'configurations[0].nodes[0].cpeMatch[1]'], ['3.2', undefined],
    ['5.0', undefined],
  ])('acme pacs %s', (version, want) => {
    const f = run([{ id: 'c', cpe: `cpe:2.3:a:acme:pacs:${version}:*:*:*:*:*:*:*`, version }], [r]).findings;
    if (want === undefined) expect(f).toEqual([]);
    else expect([f[0]!.why.criteria, f[0]!.why.nodePath]).toContain(want);
  });
  it('matches an exact-version criteria with an update only when the component states it', () => {
    const exact = run([{ id: 'c', cpe: 'cpe:2.3:a:acme:pacs:5.0:sp1:*:*:*:*:*:*', version: '5.0' }], [r]).findings;
    expect(exact.map((f) => [f.status, f.why.nodePath])).toEqual([['affected', 'configurations[0].nodes[0].cpeMatch[2]']]);
    const other = run([{ id: 'c', cpe: 'cpe:2.3:a:acme:pacs:5.0:sp2:*:*:*:*:*:*', version: '5.0' }], [r]).findings;
    expect(other).toEqual([]);
    const unstated = run([{ id: 'c', vendor: 'acme', product: 'pacs', version: '5.0' }], [r]).findings;
    expect(unstated.map((f) => [f.status, f.reasons])).toEqual([['possible', ['the criteria needs update "sp1", the component does not say']]]);
  });
});

describe('matchComponents: AND and negate', () => {
  const andRec = record('CVE-2024-0002', [{ operator: 'AND', nodes: [
    { operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: ANY_VER('acme:firmware'), versionEndExcluding: '4.0' }] },
    { operator: 'OR', cpeMatch: [{ vulnerable: false, criteria: 'cpe:2.3:h:acme:infusion_pump:-:*:*:*:*:*:*:*' }] },
  ] }]);
  it('reports the platform part of an AND as a requirement', () => {
    const f = run([{ id: 'fw', vendor: 'acme', product: 'firmware', version: '3.9' }], [andRec]).findings;
    expect(f).toHaveLength(1);
    expect(f[0]!.why.requires).toEqual(['requires platform cpe:2.3:h:acme:infusion_pump:-:*:*:*:*:*:*:*']);
    expect(f[0]!.status).toBe('affected');
  });
  it('never reports the non-vulnerable platform itself', () => {
    expect(run([{ id: 'hw', cpe: 'cpe:2.3:h:acme:infusion_pump:-:*:*:*:*:*:*:*', version: '-' }], [andRec]).findings).toEqual([]);
  });
  const negRec = record('CVE-2024-0003', [{ operator: 'AND', nodes: [
    { operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: ANY_VER('acme:viewer'), versionEndIncluding: '7.0' }] },
    { operator: 'OR', negate: true, cpeMatch: [{ vulnerable: false, criteria: 'cpe:2.3:a:acme:viewer:6.5:*:*:*:*:*:*:*' }] },
  ] }]);
  it.each([
    ['6.4', 'affected'], ['6.5', undefined], ['7.0', 'affected'], ['7.0.1', undefined], ['VA20A', 'possible'],
  ])('negated node: acme viewer %s → %s', (version, status) => {
    const f = run([{ id: 'v', vendor: 'acme', product: 'viewer', version }], [negRec]).findings;
    expect(f[0]?.status).toBe(status);
    if (status === 'affected') expect(f[0]!.why.requires).toEqual(['requires not cpe:2.3:a:acme:viewer:6.5:*:*:*:*:*:*:*']);
  });
  it('ignores a negated node in an OR configuration as a source of findings', () => {
    const rec = record('CVE-2024-0004', [{ nodes: [{ operator: 'OR', negate: true, cpeMatch: [{ vulnerable: true, criteria: ANY_VER('acme:viewer') }] }] }]);
    expect(run([{ id: 'v', vendor: 'acme', product: 'viewer', version: '1' }], [rec]).findings).toEqual([]);
  });
  it('prefers a certain configuration over a possible one and checks wildcard criteria for everyone', () => {
    const rec = record('CVE-2024-0005', [
      { nodes: [{ operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:a:acme:*:*:*:*:*:*:*:*:*', versionEndExcluding: 'R2' }] }] },
      { nodes: [{ operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:a:acme:ris:1.*:*:*:*:*:*:*:*' }] }] },
    ]);
    const f = run([{ id: 'r', vendor: 'acme', product: 'ris', version: '1.4' }], [rec]).findings;
    expect(f.map((x) => [x.status, x.why.nodePath])).toEqual([['affected', 'configurations[1].nodes[0].cpeMatch[0]']]);
    const g = run([{ id: 'r', vendor: 'acme', product: 'lis', version: '1.4' }], [rec]).findings;
    expect(g.map((x) => [x.status, x.reasons])).toEqual([['possible', ['version "1.4" cannot be compared with the range < R2']]]);
  });
});
