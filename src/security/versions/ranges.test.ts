import { describe, expect, it } from 'vitest';
import { describeRange, inVersionSet, parseRangeText, parseVers } from './ranges.ts';

function set(text: string) {
  const r = parseRangeText(text);
  if (!r.ok) throw new Error(r.error);
  return r.set;
}

describe('free-text and vers ranges', () => {
  it.each<[string, string, boolean | 'unknown']>([
    ['< 3.6.7', '3.6.6', true], ['< 3.6.7', '3.6.7', false], ['<3.6.7', '3.6.7-rc1', true],
    ['versions prior to 3.6.7', '3.6.6', true], ['Versions prior to 3.6.7', '3.6.7', false], ['all versions prior to 3.6.7', '3.5.4', true],
    ['before 3.6.7', '3.6.7.1', false], ['<= 3.6.6', '3.6.6', true], ['<= 3.6.6', '3.6.7', false],
    ['3.6.6 and earlier', '3.6.6', true], ['3.6.6 and prior', '3.6.6.1', false], ['3.0 and later', '2.9', false], ['>= 3.0', '3.0', true],
    ['> 3.0', '3.0', false], ['3.0 to 3.6.6', '3.6.6', true], ['3.0 through 3.6.6', '2.9', false], ['3.0 - 3.6.6', '3.1', true],
    ['>= 3.0, < 3.6.7', '3.6.7', false], ['>= 3.0, < 3.6.7', '3.0', true], ['>=3.0 <=3.6.6', '3.6.6', true],
    ['all versions', 'VA20A', true], ['All Versions', '1', true], ['3.6.6', '3.6.06', true], ['= 3.6.6', '3.6.7', false],
    ['< 3.6.7; 4.0', '4.0', true], ['< 3.6.7 or 4.0', '4.1', false],
    ['< 3.6.7', 'VA20A', 'unknown'], ['versions prior to VB10A', 'VA20A', 'unknown'], ['< R12.1 SP3', 'R12.1', true],
    ['vers:generic/<3.6.7', '3.6.6', true], ['vers:generic/>=3.0|<3.6.7', '2.0', false], ['vers:generic/>=3.0|<3.6.7', '3.6.6', true],
    ['vers:npm/1.2.3|>=2.0.0|<5.0.0', '1.2.3', true], ['vers:npm/1.2.3|>=2.0.0|<5.0.0', '1.2.4', false], ['vers:npm/>=2.0.0|<5.0.0|!=3.0.0', '3.0.0', false],
    ['vers:generic/<=1.0|>=2.0', '3.0', true], ['vers:generic/<=1.0|>=2.0', '1.5', false], ['vers:generic/*', 'x1', true],
  ])('%s contains %s: %s', (range, version, want) => {
    expect(inVersionSet(version, set(range))).toBe(want);
  });
  it.each([
    ['some versions', 'the version range "some versions" is not in a form Wardwatch reads (vers:..., "< 3.6.7", "versions prior to 3.6.7", "3.6.6 and earlier", "3.0 to 3.6.6", "all versions")'],
    ['vers:generic/', 'the vers range "vers:generic/" has no constraints'],
    ['vers:generic/>=', 'the vers constraint ">=" in "vers:generic/>=" has no version'],
  ])('rejects %s', (text, error) => {
    expect(parseRangeText(text)).toEqual({ ok: false, error });
  });
  it('rejects a vers string without a scheme', () => {
    expect(parseVers('vers:<1')).toEqual({ ok: false, error: 'a vers range looks like vers:generic/<3.6.7, got "vers:<1"' });
  });
  it('describes ranges for the findings', () => {
    expect(describeRange({ startIncluding: '3.0', endExcluding: '3.6.7' })).toBe('>= 3.0, < 3.6.7');
    expect(describeRange({})).toBe('all versions');
  });
});
