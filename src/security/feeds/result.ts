// Shared by the feed parsers: the all-or-nothing parse result, and the conversion of zod issues
// into one readable line that names where the problem is (`vulnerabilities[12].cve.id: ...`).

import type { z } from 'zod';

export type FeedResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Short, human description of a JSON value for an error message. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(top level)' : out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string', number: 'a number', boolean: 'true or false', array: 'an array', object: 'an object',
};

/** One line for the first problem (all-or-nothing: one reason is enough to reject), plus a count of the rest. */
export function formatIssues(error: z.ZodError, root: unknown, prefix: readonly PropertyKey[] = []): string {
  const first = error.issues[0];
  if (first === undefined) return 'invalid input';
  const path = [...prefix, ...first.path];
  const got = describeValue(valueAt(root, first.path));
  let msg: string;
  if (first.code === 'invalid_type') msg = `expected ${TYPE_WORDS[first.expected] ?? first.expected}, got ${got}`;
  else if (first.code === 'invalid_value' && first.values.length === 1) msg = `expected ${JSON.stringify(first.values[0])}, got ${got}`;
  else if (first.code === 'invalid_value') msg = `expected one of ${first.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
  else msg = first.message;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return `${formatPath(path)}: ${msg}${more}`;
}

/** JSON.parse that reports instead of throwing. */
export function parseJsonText(text: string, what: string): FeedResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: `${what} is not valid JSON: ${(e as Error).message}` };
  }
}
