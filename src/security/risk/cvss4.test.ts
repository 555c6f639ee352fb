import { describe, expect, it } from 'vitest';
import { cvss4BaseScore, cvss4Nomenclature } from './cvss4.ts';

// Expected scores come from FIRST's reference calculator (first.org/cvss/calculator/4.0, whose code
// is RedHatProductSecurity/cvss-v4-calculator cvss40.js, including its round-half-up fix for ties
// that floating point puts one ULP low, issue #66 / PR #67); the issue numbers are that repository's.
// Each value was also checked against a transcription of that algorithm.
const CASES: ReadonlyArray<readonly [string, number, string]> = [
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'reference calculator: MacroVector 000200 at distance 0'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0, 'reference calculator: no impact on any system is 0.0'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10, 'reference calculator (MacroVector 000100)'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:H/SI:H/SA:H', 7.9, 'reference calculator'],
  ['CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.3, 'reference calculator'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', 7.1, 'reference calculator'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N', 5.3, 'reference calculator'],
  ['CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:H/SC:N/SI:N/SA:N', 7.1, 'reference calculator'],
  ['CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', 1, 'reference calculator'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H', 8.6, 'reference calculator issue #66: 8.55 rounds half up'],
  ['CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:U', 0.4, 'reference calculator issue #48: 0.35 rounds half up (CVSS-BT)'],
  ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:H/SI:H/SA:H/E:P', 9, 'reference calculator issue #48: 8.95 rounds to 9.0, critical (CVSS-BT)'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', 8.1, 'reference calculator (CVSS-BT: unreported exploit lowers 9.3)'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A', 8.7, 'the reference calculator\'s own documented example (CVSS-BTE)'],
  ['CVSS:4.0/AV:N/AC:H/AT:N/PR:H/UI:N/VC:N/VI:N/VA:H/SC:H/SI:H/SA:H/CR:L/IR:L/AR:L', 5.8, 'reference calculator (CVSS-BE)'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/MVI:L/MSA:S', 9.8, 'reference calculator (CVSS-BE, safety impact)'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/MVC:H', 8.7, 'reference calculator (a modified metric lifts a no-impact base)'],
  ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:P/VC:N/VI:H/VA:H/SC:N/SI:L/SA:L/E:P/CR:H/IR:M/AR:H/MAV:A/MAT:P/MPR:N/MVI:H/MVA:N/MSI:H/MSA:N/S:N/V:C/U:Amber', 4.7, 'reference calculator (CVSS-BTE with supplemental)'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:P/AU:Y/R:U/V:C/RE:H/U:Red', 9.3, 'reference calculator (supplemental metrics do not score)'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X/CR:X', 9.3, 'reference calculator (X means not defined)'],
];

describe('cvss4BaseScore', () => {
  it.each(CASES)('%s → %d (%s)', (vector, score) => {
    expect(cvss4BaseScore(vector)).toBe(score);
  });

  it('gives the same answer when asked again (scores are kept by vector)', () => {
    const v = CASES[4]![0];
    expect([cvss4BaseScore(v), cvss4BaseScore(v)]).toEqual([7.3, 7.3]);
  });

  it.each<[string, string]>([
    ['missing mandatory metric (SA)', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N'],
    ['missing mandatory metric in the middle (AT)', 'CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'],
    ['unknown metric value', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:Q/SC:N/SI:N/SA:N'],
    ['X for a Base metric', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:X/SC:N/SI:N/SA:N'],
    ['unknown metric', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/ZZ:A'],
    ['lower-case metric name', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/ui:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'],
    ['duplicate Base metric', 'CVSS:4.0/AV:N/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'],
    ['duplicate threat metric', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/E:U'],
    ['metrics out of the spec\'s order', 'CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'],
    ['wrong prefix (v3.1)', 'CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'],
    ['no prefix', 'AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'],
    ['a v3.1 vector', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['trailing slash', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/'],
    ['metric without a value', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA'],
    ['empty string', ''],
    ['garbage', 'not a vector at all'],
  ])('%s → undefined, without throwing', (_name, vector) => {
    expect(cvss4BaseScore(vector)).toBeUndefined();
  });
});

describe('cvss4Nomenclature', () => {
  it.each<[string, string | undefined]>([
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'CVSS-B'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X/S:P', 'CVSS-B'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', 'CVSS-BT'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MAV:A', 'CVSS-BE'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/MAV:A', 'CVSS-BTE'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', undefined],
  ])('%s → %s', (vector, name) => {
    expect(cvss4Nomenclature(vector)).toBe(name);
  });
});
