import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bestCvss, parseNvd, parseNvdText } from './parse.ts';

const fixture = readFileSync(new URL('./__fixtures__/dcmtk-2022.json', import.meta.url), 'utf8');

function bulk(): { vulnerabilities: Array<{ cve: Record<string, unknown> }> } {
  return JSON.parse(fixture) as { vulnerabilities: Array<{ cve: Record<string, unknown> }> };
}

describe('parseNvd', () => {
  it('parses a bulk file into records', () => {
    const r = parseNvdText(fixture);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.map((x) => x.id)).toEqual(['CVE-2022-2119', 'CVE-2022-2120', 'CVE-2022-2121']);
    const first = r.value[0]!;
    expect(first.published).toBe('2022-07-05T18:15:08.000');
    expect(first.description).toMatch(/^OFFIS DCMTK's \(All versions prior to 3\.6\.7\) service class provider/);
    expect(first.cwes).toEqual(['CWE-22']);
    // The Primary (NVD) metric wins over the CNA's Secondary one, although it is listed second.
    expect(first.cvss.v31).toEqual({ version: '3.1', source: 'nvd@nist.gov', type: 'Primary', baseScore: 7.5, severity: 'HIGH', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N' });
    expect(first.cvss.v2).toEqual({ version: '2.0', source: 'nvd@nist.gov', type: 'Primary', baseScore: 5, severity: 'MEDIUM', vector: 'AV:N/AC:L/Au:N/C:N/I:P/A:N' });
    expect(bestCvss(first)?.version).toBe('3.1');
    expect(first.configurations).toHaveLength(1);
    const m = first.configurations[0]!.nodes[0]!.cpeMatch[0]!;
    expect(first.configurations[0]!.operator).toBe('OR');
    expect(m.criteria).toBe('cpe:2.3:a:offis:dcmtk:*:*:*:*:*:*:*:*');
    expect(m.range).toEqual({ endExcluding: '3.6.7' });
    expect(m.vulnerable).toBe(true);
    expect(m.cpe.product).toEqual({ kind: 'value', text: 'dcmtk', wildcard: undefined });
  });

  it('parses a single { cve } item and a bare CVE object', () => {
    const cve = bulk().vulnerabilities[2]!.cve;
    const a = parseNvd({ cve });
    const b = parseNvd(cve);
    expect(a.ok && a.value.map((x) => x.id)).toEqual(['CVE-2022-2121']);
    expect(b).toEqual(a);
  });

  it('takes CVSS v4.0 as the best metric when present, and records without configurations', () => {
    const cve = { ...bulk().vulnerabilities[0]!.cve, configurations: undefined, metrics: {
      cvssMetricV40: [{ source: 'x', type: 'Secondary', cvssData: { version: '4.0', vectorString: 'CVSS:4.0/AV:N', baseScore: 8.7, baseSeverity: 'HIGH' } }],
    } };
    const r = parseNvd(cve);
    if (!r.ok) throw new Error(r.error);
    expect(bestCvss(r.value[0]!)).toEqual({ version: '4.0', source: 'x', type: 'Secondary', baseScore: 8.7, severity: 'HIGH', vector: 'CVSS:4.0/AV:N' });
    expect(r.value[0]!.configurations).toEqual([]);
  });

  it.each<[string, (d: ReturnType<typeof bulk>) => unknown, string]>([
    ['criteria not a string', (d) => { (d.vulnerabilities[2]!.cve.configurations as Array<{ nodes: Array<{ cpeMatch: Array<Record<string, unknown>> }> }>)[0]!.nodes[0]!.cpeMatch[0]!.criteria = 42; return d; },
      'vulnerabilities[2].cve.configurations[0].nodes[0].cpeMatch[0].criteria: expected a CPE 2.3 string, got 42'],
    ['criteria a CPE 2.2 URI', (d) => { (d.vulnerabilities[0]!.cve.configurations as Array<{ nodes: Array<{ cpeMatch: Array<Record<string, unknown>> }> }>)[0]!.nodes[0]!.cpeMatch[0]!.criteria = 'cpe:/a:offis:dcmtk'; return d; },
      'vulnerabilities[0].cve.configurations[0].nodes[0].cpeMatch[0].criteria: expected a CPE 2.3 string, got not a CPE 2.3 string (must start with "cpe:2.3:"): "cpe:/a:offis:dcmtk"'],
    ['bad operator', (d) => { (d.vulnerabilities[1]!.cve.configurations as Array<{ nodes: Array<Record<string, unknown>> }>)[0]!.nodes[0]!.operator = 'XOR'; return d; },
      'vulnerabilities[1].cve.configurations[0].nodes[0].operator: expected one of "AND", "OR", got "XOR"'],
    ['missing id', (d) => { delete d.vulnerabilities[1]!.cve.id; return d; }, 'vulnerabilities[1].cve.id: expected a string, got nothing'],
    ['bad id', (d) => { d.vulnerabilities[0]!.cve.id = 'CVE-22-1'; return d; }, 'vulnerabilities[0].cve.id: expected a CVE id like CVE-2022-2119, got "CVE-22-1"'],
    ['bad date', (d) => { d.vulnerabilities[0]!.cve.published = 'yesterday'; return d; }, 'vulnerabilities[0].cve.published: expected an ISO date-time, got "yesterday"'],
    ['vulnerable not boolean, two problems', (d) => {
      const n = (d.vulnerabilities[0]!.cve.configurations as Array<{ nodes: Array<{ cpeMatch: Array<Record<string, unknown>> }> }>)[0]!.nodes[0]!;
      n.cpeMatch[0]!.vulnerable = 'yes';
      d.vulnerabilities[1]!.cve.id = 7;
      return d;
    }, 'vulnerabilities[0].cve.configurations[0].nodes[0].cpeMatch[0].vulnerable: expected true or false, got "yes" (and 1 more problem)'],
    ['vulnerabilities not an array', () => ({ vulnerabilities: {} }), 'vulnerabilities: expected an array, got an object'],
    ['an array at the top', () => [], '(top level): expected an NVD CVE JSON 2.0 object, got an array'],
    ['single cve with a bad score', (d) => ({ cve: { ...d.vulnerabilities[0]!.cve, metrics: { cvssMetricV31: [{ source: 's', type: 'Primary', cvssData: { version: '3.1', vectorString: 'v', baseScore: 11, baseSeverity: 'X' } }] } } }),
      'cve.metrics.cvssMetricV31[0].cvssData.baseScore: expected a CVSS score from 0 to 10, got 11'],
  ])('rejects %s with a message naming where', (_name, mutate, error) => {
    expect(parseNvd(mutate(bulk()))).toEqual({ ok: false, error });
  });

  it('rejects text that is not JSON', () => {
    const r = parseNvdText('{"vulnerabilities": [');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^the NVD file is not valid JSON: /);
  });
});
