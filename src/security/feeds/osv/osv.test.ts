/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access --
   the bad-input cases edit fixture JSON in place, which is untyped by nature. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventsToRanges, parseOsv, parseOsvText } from './osv.ts';

const text = readFileSync(new URL('./__fixtures__/GHSA-35jh-r3h4-6jhm.json', import.meta.url), 'utf8');
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
