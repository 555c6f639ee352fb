import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKev, parseKevText } from './kev.ts';

const fixture = readFileSync(new URL('./__fixtures__/kev.json', import.meta.url), 'utf8');
type Doc = { vulnerabilities: Array<Record<string, unknown>> };
const doc = (): Doc => JSON.parse(fixture) as Doc;

describe('parseKev', () => {
  it('parses the catalog keyed by CVE id', () => {
    const r = parseKevText(fixture);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.version).toBe('2026.11.27');
    expect(r.value.entries.size).toBe(2);
    expect(r.value.entries.get('CVE-2021-44228')).toMatchObject({ vendorProject: 'Apache', product: 'Log4j2', dateAdded: '2021-12-10', dueDate: '2021-12-24', ransomware: true });
    expect(r.value.entries.get('CVE-2022-2119')?.ransomware).toBe(false);
  });
  it.each<[string, (d: Doc) => unknown, string]>([
    ['bad cveID', (d) => { d.vulnerabilities[1]!.cveID = 'CVE-2022'; return d; }, 'vulnerabilities[1].cveID: expected a CVE id like CVE-2022-2119, got "CVE-2022"'],
    ['missing dueDate', (d) => { delete d.vulnerabilities[0]!.dueDate; return d; }, 'vulnerabilities[0].dueDate: expected a string, got nothing'],
    ['bad date', (d) => { d.vulnerabilities[0]!.dateAdded = '10/12/2021'; return d; }, 'vulnerabilities[0].dateAdded: expected a date like 2022-06-30, got "10/12/2021"'],
    ['bad ransomware value', (d) => { d.vulnerabilities[1]!.knownRansomwareCampaignUse = 'Yes'; return d; }, 'vulnerabilities[1].knownRansomwareCampaignUse: expected one of "Known", "Unknown", got "Yes"'],
    ['no vulnerabilities', () => ({ title: 'x' }), 'vulnerabilities: expected an array, got nothing'],
    ['not an object', () => 'x', '(top level): expected an object, got "x"'],
  ])('rejects %s', (_n, mutate, error) => {
    expect(parseKev(mutate(doc()))).toEqual({ ok: false, error });
  });
  it('rejects text that is not JSON', () => {
    expect(parseKevText('nope')).toMatchObject({ ok: false, error: expect.stringMatching(/^the KEV catalog is not valid JSON: /) as unknown });
  });
});
