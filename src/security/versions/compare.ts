// Version comparison for vulnerability matching: semver, dotted numerics of any length, trailing
// letters and vendor strings (VA20A, R12.1 SP3), with an explicit 'incomparable' instead of a guess.
//
// THE ORDER (also in docs/security-versions.md):
//  0. Both strings are trimmed; a leading "v"/"V" directly followed by a digit is dropped. Equal
//     strings (case-insensitively) compare 0. Empty strings, "*", "-" and strings without any
//     digit are incomparable with anything else.
//  1. If BOTH are strict semver (MAJOR.MINOR.PATCH[-pre][+build]) the semver 2.0.0 order applies:
//     build metadata is ignored, a pre-release is lower than its release, pre-release identifiers
//     compare numerically if numeric, lexically (ASCII) otherwise, numeric < alphanumeric, and a
//     shorter list of identifiers is lower when all before are equal.
//  2. Otherwise both are split into tokens: runs of digits (numbers, leading zeros ignored) and
//     runs of letters (words, case-insensitive); every other character only separates tokens.
//     Scheme: a version starting with a number is "numeric-led"; one starting with a word is
//     "prefixed" (VA20A, R12.1 SP3). Two versions of different schemes, or prefixed versions
//     with a different first word (VA20A vs VB10A), are incomparable.
//  3. Tokens compare pairwise, left to right:
//     - number vs number: by value (3.06 = 3.6);
//     - a missing token counts as the number 0 (3.6.7 = 3.6.7.0 < 3.6.7.1);
//     - words are either PRE-RELEASE words (dev < alpha < beta < milestone/m < pre/preview <
//       rc/cr, also "snapshot" = dev) or POST-RELEASE words (anything else: single letters as
//       in 2.10.3a or OpenSSL's 1.0.2k, sp, patch, p, update, u, r, hotfix, build, ...);
//     - a pre-release word is lower than any number or missing token (1.2-rc1 < 1.2 < 1.2.1);
//     - a post-release word is higher than a missing token (2.10.3 < 2.10.3a, R12.1 < R12.1 SP3)
//       but incomparable with a number (is 3.6.7a before 3.6.7.1? the vendor decides);
//     - two pre-release words compare by the rank above; two post-release words compare
//       alphabetically if both are single letters (2.10.3a < 2.10.3b), are equal if the same
//       word, and are incomparable otherwise (sp vs patch).
//  Cross-scheme transitivity is not promised: semver rules only apply when both sides are semver.

export type Comparison = -1 | 0 | 1 | 'incomparable';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * Plain dotted numerics (`3.6.7`, `10.0.19041.1`) compared by walking the characters, or
 * undefined if either side is anything else. Same result as the general rules, without
 * allocating: range checks run millions of times per import.
 */
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function compareDotted(a: string, b: string): -1 | 0 | 1 | undefined {
  // Must start and end with a digit; ".." is caught below as an empty segment.
  if (!isDigit(a.charCodeAt(0)) || !isDigit(b.charCodeAt(0)) || !isDigit(a.charCodeAt(a.length - 1)) || !isDigit(b.charCodeAt(b.length - 1))) return undefined;
  let i = 0;
  let j = 0;
  let result: -1 | 0 | 1 = 0;
  while (i < a.length || j < b.length) {
    // A side that has run out counts as 0 (3.6.7 = 3.6.7.0).
    let x = 0;
    let y = 0;
    if (i < a.length) {
      const start = i;
      for (; i < a.length && a.charCodeAt(i) !== 46; i++) {
        if (!isDigit(a.charCodeAt(i)) || i - start >= 15) return undefined;
        x = x * 10 + (a.charCodeAt(i) - 48);
      }
      if (i === start) return undefined;
      i++;
    }
    if (j < b.length) {
      const start = j;
      for (; j < b.length && b.charCodeAt(j) !== 46; j++) {
        if (!isDigit(b.charCodeAt(j)) || j - start >= 15) return undefined;
        y = y * 10 + (b.charCodeAt(j) - 48);
      }
      if (j === start) return undefined;
      j++;
    }
    if (result === 0 && x !== y) result = x > y ? 1 : -1;
  }
  return result;
}

/** Rank of the words that mean "before the release"; all other words mean "after". */
const PRE_RELEASE_RANK: Readonly<Record<string, number>> = {
  dev: 0, snapshot: 0, alpha: 1, beta: 2, milestone: 3, m: 3, pre: 4, preview: 4, rc: 5, cr: 5,
};

type Token = { readonly kind: 'num'; readonly value: bigint } | { readonly kind: 'word'; readonly value: string };

function normalise(v: string): string {
  const t = v.trim();
  return /^[vV]\d/.test(t) ? t.slice(1) : t;
}

function sign(n: number | bigint): -1 | 0 | 1 {
  return n > 0 ? 1 : n < 0 ? -1 : 0;
}

function compareSemver(a: RegExpMatchArray, b: RegExpMatchArray): -1 | 0 | 1 {
  for (let i = 1; i <= 3; i++) {
    const d = sign(BigInt(a[i] ?? '0') - BigInt(b[i] ?? '0'));
    if (d !== 0) return d;
  }
  const pa = a[4];
  const pb = b[4];
  if (pa === undefined && pb === undefined) return 0;
  if (pa === undefined) return 1;
  if (pb === undefined) return -1;
  const ia = pa.split('.');
  const ib = pb.split('.');
  for (let i = 0; i < Math.max(ia.length, ib.length); i++) {
    const x = ia[i];
    const y = ib[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) {
      const d = sign(BigInt(x) - BigInt(y));
      if (d !== 0) return d;
    } else if (xn !== yn) {
      return xn ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

function tokenize(v: string): Token[] {
  const out: Token[] = [];
  for (const m of v.matchAll(/\d+|[A-Za-z]+/g)) {
    const s = m[0];
    out.push(/^\d/.test(s) ? { kind: 'num', value: BigInt(s) } : { kind: 'word', value: s.toLowerCase() });
  }
  return out;
}

function compareTokens(x: Token | undefined, y: Token | undefined): Comparison {
  const xa: Token = x ?? { kind: 'num', value: 0n };
  const ya: Token = y ?? { kind: 'num', value: 0n };
  if (xa.kind === 'num' && ya.kind === 'num') return sign(xa.value - ya.value);
  if (xa.kind === 'word' && ya.kind === 'word') {
    if (xa.value === ya.value) return 0;
    const rx = PRE_RELEASE_RANK[xa.value];
    const ry = PRE_RELEASE_RANK[ya.value];
    if (rx !== undefined && ry !== undefined) return sign(rx - ry);
    if (rx !== undefined) return -1;
    if (ry !== undefined) return 1;
    if (xa.value.length === 1 && ya.value.length === 1) return xa.value < ya.value ? -1 : 1;
    return 'incomparable';
  }
  // One word against a number or a missing token.
  const word = xa.kind === 'word' ? xa.value : (ya as { value: string }).value;
  const other = xa.kind === 'word' ? y : x;
  // Seen from the word's side: pre-release words sit below; post-release words sit above a
  // missing token but cannot be placed against a number.
  let r: -1 | 1;
  if (word in PRE_RELEASE_RANK) r = -1;
  else if (other === undefined) r = 1;
  else return 'incomparable';
  return xa.kind === 'word' ? r : r === 1 ? -1 : 1;
}

/** Compares two version strings by the documented order above. */
export function compareVersions(a: string, b: string): Comparison {
  const fast = compareDotted(a, b);
  if (fast !== undefined) return fast;
  const na = normalise(a);
  const nb = normalise(b);
  if (na.toLowerCase() === nb.toLowerCase() && na !== '' && na !== '*' && na !== '-') return 0;
  if (!/\d/.test(na) || !/\d/.test(nb)) return 'incomparable';
  const sa = SEMVER.exec(na);
  const sb = SEMVER.exec(nb);
  if (sa && sb) return compareSemver(sa, sb);
  const ta = tokenize(na);
  const tb = tokenize(nb);
  const fa = ta[0];
  const fb = tb[0];
  if (fa === undefined || fb === undefined || fa.kind !== fb.kind) return 'incomparable';
  if (fa.kind === 'word' && fa.value !== fb.value) return 'incomparable';
  for (let i = 0; i < Math.max(ta.length, tb.length); i++) {
    const d = compareTokens(ta[i], tb[i]);
    if (d !== 0) return d;
  }
  return 0;
}

export interface VersionRange {
  readonly startIncluding?: string | undefined;
  readonly startExcluding?: string | undefined;
  readonly endIncluding?: string | undefined;
  readonly endExcluding?: string | undefined;
}

/**
 * Whether a version lies in a range: false as soon as one bound is definitely violated,
 * 'unknown' if no bound is violated but one cannot be compared, true otherwise.
 */
export function inRange(version: string, range: VersionRange): boolean | 'unknown' {
  // Written out rather than as a table of closures: this runs millions of times per feed import.
  let unknown = false;
  if (range.startIncluding !== undefined) {
    const c = compareVersions(version, range.startIncluding);
    if (c === 'incomparable') unknown = true;
    else if (c < 0) return false;
  }
  if (range.startExcluding !== undefined) {
    const c = compareVersions(version, range.startExcluding);
    if (c === 'incomparable') unknown = true;
    else if (c <= 0) return false;
  }
  if (range.endIncluding !== undefined) {
    const c = compareVersions(version, range.endIncluding);
    if (c === 'incomparable') unknown = true;
    else if (c > 0) return false;
  }
  if (range.endExcluding !== undefined) {
    const c = compareVersions(version, range.endExcluding);
    if (c === 'incomparable') unknown = true;
    else if (c >= 0) return false;
  }
  return unknown ? 'unknown' : true;
}
