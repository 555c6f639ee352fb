// Version range specifications as advisories write them: the vers scheme of the purl project
// (`vers:generic/>=3.0|<3.6.7`) and the free text of CSAF advisories ("< 3.6.7", "versions prior
// to 3.6.7", "3.6.6 and earlier", "3.0 to 3.6.6", "all versions"), turned into VersionRange unions.

import { compareVersions, inRange } from './compare.ts';
import type { VersionRange } from './compare.ts';

/** A set of versions: everything, a union of ranges, plus exact versions in and out. */
export interface VersionSet {
  readonly all: boolean;
  readonly ranges: readonly VersionRange[];
  readonly exact: readonly string[];
  readonly excluded: readonly string[];
  /** The spec as written, for the finding's "why". */
  readonly text: string;
}

export type RangeParse = { readonly ok: true; readonly set: VersionSet } | { readonly ok: false; readonly error: string };

const VERS_CMP = /^(<=|>=|!=|<|>|=)?\s*([A-Za-z0-9].*)$/;

/** Parses `vers:<scheme>/<constraint>|<constraint>...` (https://github.com/package-url/purl-spec VERSION-RANGE-SPEC). */
export function parseVers(text: string): RangeParse {
  const m = /^vers:([a-z0-9.+-]+)\/(.*)$/i.exec(text.trim());
  if (!m) return { ok: false, error: `a vers range looks like vers:generic/<3.6.7, got "${text}"` };
  const body = (m[2] as string).replace(/\s+/g, '');
  if (body === '*') return { ok: true, set: { all: true, ranges: [], exact: [], excluded: [], text } };
  if (body === '') return { ok: false, error: `the vers range "${text}" has no constraints` };
  const exact: string[] = [];
  const excluded: string[] = [];
  const bounds: Array<{ op: '<' | '<=' | '>' | '>='; v: string }> = [];
  for (const part of body.split('|')) {
    const c = VERS_CMP.exec(part);
    const v = c?.[2] !== undefined ? decodeURIComponent(c[2]) : '';
    if (!c || v === '') return { ok: false, error: `the vers constraint "${part}" in "${text}" has no version` };
    const op = c[1] ?? '=';
    if (op === '=') exact.push(v);
    else if (op === '!=') excluded.push(v);
    else bounds.push({ op: op as '<' | '<=' | '>' | '>=', v });
  }
  bounds.sort((a, b) => {
    const c = compareVersions(a.v, b.v);
    return c === 'incomparable' ? 0 : c;
  });
  const ranges: VersionRange[] = [];
  for (let i = 0; i < bounds.length; i++) {
    const b = bounds[i]!;
    const next = bounds[i + 1];
    if (b.op === '>' || b.op === '>=') {
      const lo = b.op === '>' ? { startExcluding: b.v } : { startIncluding: b.v };
      if (next !== undefined && (next.op === '<' || next.op === '<=')) {
        ranges.push({ ...lo, ...(next.op === '<' ? { endExcluding: next.v } : { endIncluding: next.v }) });
        i++;
      } else ranges.push(lo);
    } else ranges.push(b.op === '<' ? { endExcluding: b.v } : { endIncluding: b.v });
  }
  return { ok: true, set: { all: false, ranges, exact, excluded, text } };
}

// A version: dotted/semver-like, or a vendor string (VA20A), optionally with a service-pack word (R12.1 SP3).
const V = String.raw`v?((?:\d[\w.+-]*|[A-Za-z]+\d[\w.+-]*)(?: (?:SP|sp|Update|update|U|u|patch|Patch|HF|hotfix|build|Build) ?\d+)?)`;
type TextRule = VersionRange | { readonly kind: 'all' } | { readonly kind: 'exact'; readonly version: string };
const TEXT_RULES: ReadonlyArray<[RegExp, (m: RegExpExecArray) => TextRule]> = [
  [/^(?:all(?: versions)?|all supported versions|\*)$/i, () => ({ kind: 'all' })],
  [new RegExp(String.raw`^(?:all )?(?:versions? )?(?:prior to|before|earlier than|older than|lower than|below|<)\s*${V}$`, 'i'), (m) => ({ endExcluding: m[1]! })],
  [new RegExp(String.raw`^(?:versions? )?(?:<=|up to and including|up to|through)\s*${V}$`, 'i'), (m) => ({ endIncluding: m[1]! })],
  [new RegExp(String.raw`^(?:versions? )?${V} and (?:prior|earlier|before|older|below)(?: versions?)?$`, 'i'), (m) => ({ endIncluding: m[1]! })],
  [new RegExp(String.raw`^(?:versions? )?(?:>=|from)\s*${V}(?: and later| onwards)?$`, 'i'), (m) => ({ startIncluding: m[1]! })],
  [new RegExp(String.raw`^(?:versions? )?${V} and (?:later|newer|above)$`, 'i'), (m) => ({ startIncluding: m[1]! })],
  [new RegExp(String.raw`^(?:versions? )?(?:>|after|later than)\s*${V}$`, 'i'), (m) => ({ startExcluding: m[1]! })],
  [new RegExp(String.raw`^(?:versions? )?${V}\s*(?:to|through|-|–)\s*${V}$`, 'i'), (m) => ({ startIncluding: m[1]!, endIncluding: m[2]! })],
  [new RegExp(String.raw`^(?:>=\s*${V})[,\s]+(?:<\s*${V})$`, 'i'), (m) => ({ startIncluding: m[1]!, endExcluding: m[2]! })],
  [new RegExp(String.raw`^(?:>=\s*${V})[,\s]+(?:<=\s*${V})$`, 'i'), (m) => ({ startIncluding: m[1]!, endIncluding: m[2]! })],
  [new RegExp(String.raw`^(?:=\s*|version )?${V}$`, 'i'), (m) => ({ kind: 'exact', version: m[1]! })],
];

/**
 * Parses a product_version_range: a vers string, or one of the free-text forms above. Several
 * ranges may be joined by ";" or " or ". Anything else is an error (the caller reports the product
 * as "possibly affected" with this text, rather than guessing).
 */
export function parseRangeText(text: string): RangeParse {
  const t = text.trim();
  if (/^vers:/i.test(t)) return parseVers(t);
  const ranges: VersionRange[] = [];
  const exact: string[] = [];
  for (const piece of t.split(/\s*;\s*|\s+or\s+/i)) {
    const p = piece.trim().replace(/\.$/, '');
    let done = false;
    for (const [re, make] of TEXT_RULES) {
      const m = re.exec(p);
      if (!m) continue;
      const r = make(m);
      if ('kind' in r) {
        if (r.kind === 'all') return { ok: true, set: { all: true, ranges: [], exact: [], excluded: [], text } };
        exact.push(r.version);
      } else ranges.push(r);
      done = true;
      break;
    }
    if (!done) return { ok: false, error: `the version range "${text}" is not in a form Wardwatch reads (vers:..., "< 3.6.7", "versions prior to 3.6.7", "3.6.6 and earlier", "3.0 to 3.6.6", "all versions")` };
  }
  return { ok: true, set: { all: false, ranges, exact, excluded: [], text } };
}

/** Whether a version is in the set: true, false, or 'unknown' when a bound cannot be compared. */
export function inVersionSet(version: string, set: VersionSet): boolean | 'unknown' {
  if (set.excluded.some((e) => compareVersions(version, e) === 0)) return false;
  if (set.all) return true;
  if (set.exact.some((e) => compareVersions(version, e) === 0)) return true;
  let unknown = set.exact.some((e) => compareVersions(version, e) === 'incomparable');
  for (const r of set.ranges) {
    const x = inRange(version, r);
    if (x === true) return true;
    if (x === 'unknown') unknown = true;
  }
  return unknown ? 'unknown' : false;
}

/** "< 3.6.7", ">= 3.0, <= 3.6.6": a range written the way the findings show it. */
export function describeRange(r: VersionRange): string {
  return [
    r.startIncluding !== undefined ? `>= ${r.startIncluding}` : undefined,
    r.startExcluding !== undefined ? `> ${r.startExcluding}` : undefined,
    r.endIncluding !== undefined ? `<= ${r.endIncluding}` : undefined,
    r.endExcluding !== undefined ? `< ${r.endExcluding}` : undefined,
  ].filter((p) => p !== undefined).join(', ') || 'all versions';
}
