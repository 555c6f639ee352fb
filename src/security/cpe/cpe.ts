// CPE 2.3 formatted-string parsing and name matching (NISTIR 7695 binding, NISTIR 7696 matching)
// as NVD uses it: ANY `*`, NA `-`, backslash escapes, and `*`/`?` wildcards inside pattern values.

export const CPE_ATTRIBUTES = [
  'part', 'vendor', 'product', 'version', 'update', 'edition',
  'language', 'swEdition', 'targetSw', 'targetHw', 'other',
] as const;
export type CpeAttribute = (typeof CPE_ATTRIBUTES)[number];

/** One attribute: ANY (`*`), NA (`-`) or a value (unescaped, lowercased; `wildcard` if it has unescaped `*`/`?`). */
export type CpeValue =
  | { readonly kind: 'any' }
  | { readonly kind: 'na' }
  | { readonly kind: 'value'; readonly text: string; readonly wildcard: RegExp | undefined };

export type Cpe = { readonly [K in CpeAttribute]: CpeValue } & {
  readonly source: string;
  /** The attributes that are not ANY, in order: matching only needs to look at these. */
  readonly constrained: readonly CpeAttribute[];
};

export type CpeParseResult = { readonly ok: true; readonly cpe: Cpe } | { readonly ok: false; readonly error: string };

const ANY: CpeValue = { kind: 'any' };
const NA: CpeValue = { kind: 'na' };

/** Splits on unescaped colons, keeping escapes in place for the value parser. */
function splitFields(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + (s[i + 1] as string);
      i++;
    } else if (c === ':') {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

const PLAIN = /^[A-Za-z0-9_.-]+$/;

function parseValue(field: string, name: CpeAttribute): CpeValue | string {
  if (field === '') return `${name} is empty`;
  if (field === '*') return ANY;
  if (field === '-') return NA;
  // Most NVD values are plain; skip the character walk for them.
  if (PLAIN.test(field)) return { kind: 'value', text: field.toLowerCase(), wildcard: undefined };
  let text = '';
  let regex = '';
  let wildcard = false;
  for (let i = 0; i < field.length; i++) {
    const c = field[i] as string;
    if (c === '\\') {
      const next = field[i + 1];
      if (next === undefined) return `${name} ends with a lone backslash`;
      text += next;
      regex += escapeRegex(next.toLowerCase());
      i++;
    } else if (c === '*' || c === '?') {
      wildcard = true;
      text += c;
      regex += c === '*' ? '.*' : '.';
    } else if (/[A-Za-z0-9_.-]/.test(c)) {
      text += c.toLowerCase();
      regex += escapeRegex(c.toLowerCase());
    } else {
      return `${name} has the unescaped character "${c}"`;
    }
  }
  return { kind: 'value', text: text.toLowerCase(), wildcard: wildcard ? new RegExp(`^${regex}$`, 's') : undefined };
}

/** Parses a CPE 2.3 formatted string (`cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*`). */
export function parseCpe(s: string): CpeParseResult {
  const fields = splitFields(s);
  if (fields[0]?.toLowerCase() !== 'cpe' || fields[1] !== '2.3') return { ok: false, error: `not a CPE 2.3 string (must start with "cpe:2.3:"): "${s}"` };
  const rest = fields.slice(2);
  if (rest.length !== CPE_ATTRIBUTES.length) {
    return { ok: false, error: `a CPE 2.3 string has ${CPE_ATTRIBUTES.length} attributes after "cpe:2.3:", got ${rest.length}: "${s}"` };
  }
  const values: CpeValue[] = [];
  for (let i = 0; i < CPE_ATTRIBUTES.length; i++) {
    const v = parseValue(rest[i] as string, CPE_ATTRIBUTES[i] as CpeAttribute);
    if (typeof v === 'string') return { ok: false, error: `${v}: "${s}"` };
    values.push(v);
  }
  const part = values[0] as CpeValue;
  if (part.kind === 'value' && part.wildcard === undefined && !['a', 'o', 'h'].includes(part.text)) {
    return { ok: false, error: `part must be a, o, h or *, got "${part.text}": "${s}"` };
  }
  return { ok: true, cpe: makeCpe(values, s) };
}

/** Builds a Cpe from its 11 values in CPE_ATTRIBUTES order, always with the same object shape (matching is hot). */
export function makeCpe(v: readonly CpeValue[], source: string): Cpe {
  const at = (i: number): CpeValue => v[i] ?? ANY;
  const constrained = CPE_ATTRIBUTES.filter((_a, i) => at(i).kind !== 'any');
  return {
    constrained,
    part: at(0), vendor: at(1), product: at(2), version: at(3), update: at(4), edition: at(5),
    language: at(6), swEdition: at(7), targetSw: at(8), targetHw: at(9), other: at(10), source,
  };
}

/**
 * NISTIR 7696 attribute relation, reduced to "does the pattern cover the target": true for
 * EQUAL and SUPERSET, false for SUBSET, DISJOINT and undefined (wildcards in the target).
 */
export function valueCovers(pattern: CpeValue, target: CpeValue): boolean {
  if (pattern.kind === 'any') return true;
  if (pattern.kind === 'na') return target.kind === 'na';
  if (target.kind !== 'value' || target.wildcard !== undefined) return false;
  return pattern.wildcard ? pattern.wildcard.test(target.text) : pattern.text === target.text;
}

/** True when every attribute of `pattern` covers the same attribute of `target` (case-insensitive). */
export function cpeMatches(pattern: Cpe, target: Cpe, skip: readonly CpeAttribute[] = []): boolean {
  // An ANY attribute in the pattern covers everything, so only the constrained ones are checked.
  for (const a of pattern.constrained) {
    if (skip.includes(a)) continue;
    if (!valueCovers(pattern[a], target[a])) return false;
  }
  return true;
}

/** The plain text of a value, or undefined for ANY/NA/wildcards (used for indexing). */
export function plainText(v: CpeValue): string | undefined {
  return v.kind === 'value' && v.wildcard === undefined ? v.text : undefined;
}
