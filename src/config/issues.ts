// Turns zod issues into the loader's plain-language problems ("expected integer 1–65535, got "abc"",
// "unknown key "prot" (did you mean "port"?)"). Messages a field defines itself (src/sensors/fields.ts)
// win; this map words every other issue in the same "expected …, got …" style.

import type { z } from 'zod';
import { describeGot } from '../sensors/fields.ts';

export type PathSegment = string | number;

/** A problem found in a config document, located by its path; load.ts turns the path into line:column. */
export interface Problem {
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** Point at the key rather than the value (unknown keys). */
  readonly onKey?: boolean;
  /** Another place the message refers to (the first use of a duplicate id). */
  readonly related?: readonly PathSegment[];
}

type RawIssue = z.core.$ZodRawIssue;

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  bigint: 'an integer',
  date: 'a date',
  nan: 'NaN',
};

function bound(origin: string, relation: 'min' | 'max', value: unknown, inclusive: boolean, schema: unknown): string {
  const n = String(value);
  if (origin === 'string') return relation === 'min' ? `at least ${n} characters` : `at most ${n} characters`;
  if (origin === 'array' || origin === 'set') return relation === 'min' ? `at least ${n} items` : `at most ${n} items`;
  const op = relation === 'min' ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';
  // The issue's `schema` is the number schema the check belongs to; zod's ZodNumber knows whether it is .int().
  const isInt = (schema as { isInt?: unknown } | undefined)?.isInt === true;
  return `${isInt ? 'an integer' : 'a number'} ${op} ${n}`;
}

function lastKey(path: readonly PropertyKey[] | undefined): string | undefined {
  const k = path?.at(-1);
  return typeof k === 'string' ? k : undefined;
}

/**
 * A per-parse error map. It also remembers, for each object with unknown keys, the keys its schema
 * knows (zod's final issue no longer carries the schema), so that we can suggest the closest one.
 */
export function createErrorMap(knownKeys: WeakMap<object, readonly string[]>) {
  return (iss: RawIssue): string | undefined => {
    const got = describeGot(iss.input);
    switch (iss.code) {
      case 'invalid_type': {
        if (iss.input === undefined) {
          const key = lastKey(iss.path);
          return key === undefined ? 'missing value' : `missing required key "${key}"`;
        }
        return `expected ${TYPE_WORDS[iss.expected] ?? iss.expected}, got ${got}`;
      }
      case 'invalid_value':
        return iss.values.length === 1 ? `expected ${describeGot(iss.values[0])}, got ${got}` : `expected one of ${iss.values.map(String).join(', ')}, got ${got}`;
      case 'too_small':
        return `expected ${bound(iss.origin, 'min', iss.minimum, iss.inclusive ?? true, (iss as { schema?: unknown }).schema)}, got ${got}`;
      case 'too_big':
        return `expected ${bound(iss.origin, 'max', iss.maximum, iss.inclusive ?? true, (iss as { schema?: unknown }).schema)}, got ${got}`;
      case 'not_multiple_of':
        return `expected a multiple of ${String(iss.divisor)}, got ${got}`;
      case 'invalid_format':
        return iss.format === 'regex' && 'pattern' in iss ? `expected text matching ${String(iss.pattern)}, got ${got}` : `expected ${iss.format}, got ${got}`;
      case 'unrecognized_keys': {
        const shape = (iss.inst as { shape?: Record<string, unknown> } | undefined)?.shape;
        if (shape && typeof iss.input === 'object' && iss.input !== null) knownKeys.set(iss.input, Object.keys(shape));
        return `unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}`;
      }
      case 'invalid_union':
        return `does not match any allowed form, got ${got}`;
      case 'invalid_key':
        return `invalid key, got ${got}`;
      case 'invalid_element':
        return `invalid element, got ${got}`;
      default:
        return `invalid value, got ${got}`;
    }
  };
}

/** Edit distance (insert, delete, substitute, swap of neighbours), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate, if it is close enough to be a likely typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = c.toLowerCase() === word.toLowerCase() ? 0.5 : editDistance(word, c);
    if (dist < bestD) {
      best = c;
      bestD = dist;
    }
  }
  return bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** Converts final zod issues (parsed with createErrorMap and reportInput) to problems; unknown keys become one problem each. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], knownKeys: WeakMap<object, readonly string[]>, prefix: readonly PathSegment[] = []): Problem[] {
  const out: Problem[] = [];
  for (const iss of issues) {
    const path = [...prefix, ...iss.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (iss.code === 'unrecognized_keys') {
      const input = (iss as { input?: unknown }).input;
      const known = typeof input === 'object' && input !== null ? (knownKeys.get(input) ?? []) : [];
      for (const key of iss.keys) {
        const hint = suggest(key, known);
        out.push({ path: [...path, key], onKey: true, message: `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}` });
      }
      continue;
    }
    // A field's own wording ("expected integer 1–65535, got nothing") reads oddly when the key is simply absent.
    const key = path.at(-1);
    const absent = 'input' in iss && iss.input === undefined && (iss.code === 'invalid_type' || iss.code === 'custom');
    out.push({ path, message: absent && typeof key === 'string' ? `missing required key "${key}"` : iss.message });
  }
  return out;
}
