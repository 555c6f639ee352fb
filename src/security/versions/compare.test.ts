import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareVersions, inRange } from './compare.ts';
import type { Comparison } from './compare.ts';

const table: ReadonlyArray<readonly [string, string, Comparison]> = [
  // dotted numerics
  ['3.6.7', '3.6.7', 0],
  ['3.6.6', '3.6.7', -1],
  ['3.6.7', '3.6.7.1', -1],
  ['3.6.7.0', '3.6.7', 0],
  ['3.06.7', '3.6.7', 0],
  ['3.10', '3.9', 1],
  ['1.2', '1.2.0', 0],
  ['10', '9.99.99', 1],
  ['1.2.3.4.5.6', '1.2.3.4.5.7', -1],
  ['v1.2.3', '1.2.3', 0],
  ['99999999999999999999.1', '99999999999999999999.0', 1],
  // trailing letters
  ['2.10.3a', '2.10.3', 1],
  ['2.10.3a', '2.10.3b', -1],
  ['1.0.2k', '1.0.2j', 1],
  ['2.10.3a', '2.10.4', -1],
  ['2.10.3a', '2.10.3.1', 'incomparable'],
  // pre-releases outside strict semver
  ['1.2-rc1', '1.2', -1],
  ['1.2-rc1', '1.2-rc2', -1],
  ['1.2-beta3', '1.2-rc1', -1],
  ['1.2-alpha', '1.2-beta', -1],
  ['1.2-rc1', '1.1.9', 1],
  ['1.2-rc1', '1.2.1', -1],
  ['1.2-dev', '1.2-alpha', -1],
  ['1.2-SNAPSHOT', '1.2', -1],
  ['1.2 SP1', '1.2 patch1', 'incomparable'],
  // semver
  ['1.0.0-alpha', '1.0.0', -1],
  ['1.0.0-alpha', '1.0.0-alpha.1', -1],
  ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
  ['1.0.0-alpha.beta', '1.0.0-beta', -1],
  ['1.0.0-beta.2', '1.0.0-beta.11', -1],
  ['1.0.0-rc.1', '1.0.0', -1],
  ['1.0.0+build.5', '1.0.0+build.7', 0],
  ['1.0.0-x', '1.0.0', -1],
  ['2.0.0', '10.0.0', -1],
  // vendor strings
  ['VA20A', 'VA20B', -1],
  ['VA10B', 'VA20A', -1],
  ['va20a', 'VA20A', 0],
  ['VA20A', 'VB10A', 'incomparable'],
  ['VA20A', '3.6.7', 'incomparable'],
  ['R12.1 SP3', 'R12.1 SP2', 1],
  ['R12.1 SP3', 'R12.1', 1],
  ['R12.1 SP3', 'R12.2', -1],
  ['R12.1 SP3', 'R13', -1],
  ['R12.1', '12.1', 'incomparable'],
  // not versions
  ['*', '1.0', 'incomparable'],
  ['-', '-', 'incomparable'],
  ['', '1.0', 'incomparable'],
  ['latest', '1.0', 'incomparable'],
  ['latest', 'LATEST', 0],
];

describe('compareVersions', () => {
  it.each(table)('%s vs %s → %s', (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
    // The order is antisymmetric: swapping the sides flips the sign.
    const flipped = want === 'incomparable' ? want : want === 0 ? 0 : -want;
    expect(compareVersions(b, a)).toBe(flipped);
  });
});

describe('inRange', () => {
  const cases: ReadonlyArray<readonly [string, Parameters<typeof inRange>[1], boolean | 'unknown']> = [
    ['3.6.6', { endExcluding: '3.6.7' }, true],
    ['3.6.7', { endExcluding: '3.6.7' }, false],
    ['3.6.7', { endIncluding: '3.6.7' }, true],
    ['3.6.7.1', { endIncluding: '3.6.7' }, false],
    ['3.6.0', { startIncluding: '3.6.0', endExcluding: '3.6.7' }, true],
    ['3.6.0', { startExcluding: '3.6.0', endExcluding: '3.6.7' }, false],
    ['3.5.9', { startIncluding: '3.6.0' }, false],
    ['1.0', {}, true],
    ['VA20A', { endExcluding: '3.6.7' }, 'unknown'],
    // A definite violation wins over an incomparable bound.
    ['VA20A', { startIncluding: 'VA30A', endExcluding: '3.6.7' }, false],
    ['VA20A', { startIncluding: 'VA10A', endExcluding: '3.6.7' }, 'unknown'],
    ['R12.1 SP3', { startIncluding: 'R12.1', endExcluding: 'R12.1 SP4' }, true],
  ];
  it.each(cases)('%s in %j → %s', (v, r, want) => {
    expect(inRange(v, r)).toBe(want);
  });
});

describe('compareVersions: the dotted fast path agrees with the general rules', () => {
  // A "v" prefix bypasses the fast path (it only takes plain digits and dots), so both sides of
  // each assertion take different code paths to what must be the same answer.
  const dotted = fc.array(fc.oneof(fc.nat({ max: 30 }).map(String), fc.constantFrom('0', '00', '007', '10', '999999999999999')), { minLength: 1, maxLength: 6 }).map((p) => p.join('.'));
  it('for random dotted numerics', () => {
    fc.assert(fc.property(dotted, dotted, (a, b) => compareVersions(a, b) === compareVersions(`v${a}`, `v${b}`)), { numRuns: 2000, seed: 42 });
  });
  it.each([
    ['1..2', '1.2', 0], ['1.2.', '1.2', 0], ['.1.2', '1.2', 0], ['1.2', '', 'incomparable'], ['1234567890123456789.1', '1234567890123456789.2', -1],
  ] as const)('%s vs %s (not plain dotted: general rules)', (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
  });
});
