/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access --
   the bad-input cases edit fixture JSON in place, which is untyped by nature. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchInventory } from '../../match/all.ts';
import { buildVulnDb } from '../../match/db.ts';
import { riskScore } from '../../risk/risk.ts';
import { eventsToRanges, parseOsv, parseOsvText } from './osv.ts';

const text = readFileSync(new URL('./__fixtures__/GHSA-35jh-r3h4-6jhm.json', import.meta.url), 'utf8');
const v4Text = readFileSync(new URL('./__fixtures__/GHSA-v4-only.json', import.meta.url), 'utf8');
type J = Record<string, any>;
const doc = (): J => JSON.parse(text) as J;

describe('OSV', () => {
  it('reads a record: aliases, computed CVSS v3 score, ranges from events', () => {
    const r = parseOsvText(text);
    if (!r.ok) throw new Error(r.error);
    const rec = r.value[0]!.record;
    expect(rec).toMatchObject({ id: 'GHSA-35jh-r3h4-6jhm', aliases: ['CVE-2021-23337'], withdrawn: false, databaseSeverity: 'HIGH' });
    expect(rec.cvss).toEqual({ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', baseScore: 7.2 });
    expect(rec.affected.map((a) => [a.name, a.ranges, a.rangeText])).toEqual([
      ['lodash', [{ endExcluding: '4.17.21' }], 'SEMVER: introduced 0, fixed 4.17.21'],
      ['lodash.template', [{ endIncluding: '4.5.0' }], 'SEMVER: introduced 0, last_affected 4.5.0'],
    ]);
  });
  it('scores a record that carries only a CVSS v4.0 vector, and the finding gets a risk score from it', () => {
    const r = parseOsvText(v4Text);
    if (!r.ok) throw new Error(r.error);
    const rec = r.value[0]!.record;
    // 7.1: FIRST's reference calculator (first.org/cvss/calculator/4.0) for this vector.
    expect(rec.cvss).toEqual({ version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', baseScore: 7.1, nomenclature: 'CVSS-B' });
    const [m] = matchInventory([{ id: 'proxy', name: 'dicomweb-proxy', purl: 'pkg:npm/dicomweb-proxy@1.4.1' }], buildVulnDb([], [rec], [], []));
    expect(m).toMatchObject({ vulnId: 'GHSA-test-cvss-v4only', status: 'affected', cvss: { version: '4.0', baseScore: 7.1, source: 'OSV GHSA-test-cvss-v4only' } });
    const risk = riskScore({ cvss: m!.cvss, possible: false });
    expect(risk).toEqual({ score: 7.1, severity: 'high', factors: [{ factor: 'cvss', detail: 'CVSS v4.0 base score 7.1 (OSV GHSA-test-cvss-v4only)', contribution: 7.1 }] });
  });
  it.each<[string, Array<{ type: string; score: string }>, unknown]>([
    ['v3 and v4: v3 stays the one used', [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }, { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }],
      { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', baseScore: 7.2 }],
    ['a v3 vector that does not score and a v4 one that does: v4', [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }, { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }],
      { version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', baseScore: 9.3, nomenclature: 'CVSS-B' }],
    // 8.1: FIRST's reference calculator; the score is over the whole vector, threat metric included.
    ['a v4 vector with a threat metric', [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U' }],
      { version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', baseScore: 8.1, nomenclature: 'CVSS-BT' }],
    ['a malformed v4 vector only: kept, no score', [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L' }], { version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L', baseScore: undefined }],
    ['no CVSS at all', [{ type: 'Ubuntu', score: 'high' }], undefined],
  ])('picks the CVSS of a record: %s', (_n, severity, cvss) => {
    const r = parseOsv({ ...doc(), severity });
    expect(r.ok && r.value[0]!.record.cvss).toEqual(cvss);
  });
  it('keeps GIT ranges as text (they name commits), apart from the comparable ranges', () => {
    const r = parseOsv({ ...doc(), affected: [{ package: { ecosystem: 'npm', name: 'viewer' }, ranges: [
      { type: 'GIT', repo: 'https://example.org/viewer', events: [{ introduced: 'abc' }, { fixed: 'def' }] },
      { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] },
    ] }] });
    expect(r.ok && r.value[0]!.record.affected.map((a) => [a.ranges, a.rangeText, a.gitRangeText])).toEqual([
      [[{ endExcluding: '2.0.0' }], 'SEMVER: introduced 0, fixed 2.0.0', 'GIT https://example.org/viewer: introduced abc, fixed def'],
    ]);
  });
  it('reads arrays and { vulns } answers', () => {
    const a = parseOsv([doc(), { ...doc(), id: 'GHSA-x' }]);
    expect(a.ok && a.value.map((x) => x.record.id)).toEqual(['GHSA-35jh-r3h4-6jhm', 'GHSA-x']);
    const b = parseOsv({ vulns: [doc()] });
    expect(b.ok && b.value).toHaveLength(1);
  });
  it('turns unsorted events with several introductions into intervals', () => {
    expect(eventsToRanges([{ fixed: '1.5' }, { introduced: '2.0' }, { introduced: '1.0' }, { fixed: '2.3' }, { introduced: '3.0' }])).toEqual([
      { startIncluding: '1.0', endExcluding: '1.5' }, { startIncluding: '2.0', endExcluding: '2.3' }, { startIncluding: '3.0' },
    ]);
    expect(eventsToRanges([{ introduced: '0' }, { limit: '9' }])).toEqual([{}]);
  });
  it.each<[string, (d: J) => unknown, string]>([
    ['missing modified', (d) => { delete d.modified; return d; }, 'modified: expected a string, got nothing'],
    ['bad date', (d) => ({ ...d, modified: 'yesterday' }), 'modified: expected an RFC 3339 date-time, got "yesterday"'],
    ['bad range type', (d) => { d.affected[0].ranges[0].type = 'SEMVERS'; return d; }, 'affected[0].ranges[0].type: expected one of "SEMVER", "ECOSYSTEM", "GIT", got "SEMVERS"'],
    ['bad event', (d) => { d.affected[0].ranges[0].events[1] = { fix: '1' }; return d; }, 'affected[0].ranges[0].events[1]: expected an event with introduced, fixed, last_affected or limit, got an object'],
    ['bad purl in an array', (d) => { d.affected[0].package.purl = 'lodash'; return [doc(), d]; }, '[1].affected[0].package.purl: a purl starts with "pkg:": "lodash"'],
  ])('rejects %s', (_n, mutate, error) => {
    expect(parseOsv(mutate(doc()))).toEqual({ ok: false, error });
  });
});
