// What an HTTP answer must satisfy besides its status: a keyword present or absent, and a value at
// a JSON path. Each returns undefined when satisfied, or the catalogue code and the message that
// shows the operator what was actually there.

import { compilePattern, excerpt, preview } from '../../protocols/net/text.ts';

export interface Failure {
  readonly code: string;
  readonly message: string;
}

export function checkKeyword(body: string, keyword: string, truncatedNote: string): Failure | undefined {
  const matcher = compilePattern(keyword);
  if (matcher.test(body)) return undefined;
  return { code: 'HTTP_KEYWORD_MISSING', message: `${matcher.source} not found in the page${truncatedNote}` };
}

export function checkKeywordAbsent(body: string, keyword: string): Failure | undefined {
  const matcher = compilePattern(keyword);
  const at = matcher.find(body);
  if (!at) return undefined;
  return { code: 'HTTP_KEYWORD_PRESENT', message: `${matcher.source} found in the page: ${excerpt(body, at)}` };
}

type Segment = string | number;

/** "$.status.checks[0]['db-main'].state" → ['status', 'checks', 0, 'db-main', 'state']. */
export function parseJsonPath(path: string): Segment[] {
  const out: Segment[] = [];
  const re = /\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["([^"]*)"\]|\['([^']*)'\]/gy;
  const body = path.startsWith('$') ? path.slice(1) : path;
  re.lastIndex = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[3] ?? m[4] ?? '');
    if (re.lastIndex >= body.length) break;
  }
  return out;
}

/** The value as JSON, cut at 80 characters. */
function formatValue(v: unknown): string {
  const text = JSON.stringify(v) ?? 'undefined';
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/**
 * Follows `path` into the parsed body. With `expected`: a string is a /regex/ tested on the value's
 * text, or compared with it (strings as they are, other values as JSON: "true", "42"); numbers,
 * booleans and null compare exactly.
 */
export function checkJson(bodyText: string, path: string, expected: string | number | boolean | null | undefined, truncatedNote: string): Failure | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(bodyText);
  } catch (e) {
    const reason = truncatedNote || ` (${(e as Error).message})`;
    return { code: 'HTTP_JSON_INVALID', message: `response is not valid JSON${reason}: ${preview(bodyText, 60)}` };
  }
  let value: unknown = doc;
  for (const seg of parseJsonPath(path)) {
    const container: unknown = value;
    if (typeof seg === 'number' ? Array.isArray(container) && seg < container.length : container !== null && typeof container === 'object' && !Array.isArray(container) && Object.hasOwn(container, seg)) {
      value = (container as Record<string | number, unknown>)[seg];
    } else {
      return { code: 'HTTP_JSON_MISMATCH', message: `${path}: not present in the response` };
    }
  }
  if (expected === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (typeof expected === 'string') {
    const isRegex = /^\/.+\/[a-z]*$/s.test(expected);
    const ok = isRegex ? compilePattern(expected).test(text) : text === expected;
    if (ok) return undefined;
    return { code: 'HTTP_JSON_MISMATCH', message: `${path}: expected ${isRegex ? expected : JSON.stringify(expected)}, got ${formatValue(value)}` };
  }
  if (value === expected) return undefined;
  return { code: 'HTTP_JSON_MISMATCH', message: `${path}: expected ${JSON.stringify(expected)}, got ${formatValue(value)}` };
}
