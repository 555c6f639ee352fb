// Text helpers for line protocols and response matching: C-style escapes in configured strings
// ("HELO x\r\n"), patterns written either as plain text or as "/regex/flags", and a short, escaped
// preview of what a peer sent, safe to put in a one-line status message.

/** Turns \r \n \t \0 \\ \xNN and \uNNNN escapes into the characters they stand for. */
export function unescapeText(text: string): string {
  return text.replace(/\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|[rnt0\\])/g, (_, e: string) => {
    switch (e[0]) {
      case 'r':
        return '\r';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case '0':
        return '\0';
      case '\\':
        return '\\';
      default:
        return String.fromCharCode(parseInt(e.slice(1), 16));
    }
  });
}

/** A compiled pattern: plain text (a substring test) or a regular expression. */
export interface TextMatcher {
  readonly source: string;
  test(text: string): boolean;
  /** Where the first match is, for quoting it in a message. */
  find(text: string): { readonly index: number; readonly length: number } | undefined;
}

const REGEX_LITERAL = /^\/(.+)\/([dgimsuvy]*)$/s;

/** Why a pattern does not compile, or undefined when it does (for schema refinements). */
export function patternProblem(pattern: string): string | undefined {
  const m = REGEX_LITERAL.exec(pattern);
  if (!m) return undefined;
  try {
    new RegExp(m[1]!, m[2]!.replace(/[gy]/g, ''));
    return undefined;
  } catch (e) {
    return `invalid regular expression ${pattern}: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')}`;
  }
}

/**
 * Compiles "/regex/flags" into a regular expression and anything else into a substring test
 * (after unescaping \r\n...). Stateful flags (g, y) are dropped so test() gives the same answer twice.
 */
export function compilePattern(pattern: string): TextMatcher {
  const m = REGEX_LITERAL.exec(pattern);
  if (m) {
    const re = new RegExp(m[1]!, m[2]!.replace(/[gy]/g, ''));
    return {
      source: pattern,
      test: (text) => re.test(text),
      find: (text) => {
        const found = re.exec(text);
        return found ? { index: found.index, length: found[0].length } : undefined;
      },
    };
  }
  const needle = unescapeText(pattern);
  return {
    source: JSON.stringify(needle),
    test: (text) => text.includes(needle),
    find: (text) => {
      const index = text.indexOf(needle);
      return index < 0 ? undefined : { index, length: needle.length };
    },
  };
}

/** `"220 mail ready\r\n"` — escaped, quoted, cut at `max` characters with an ellipsis. */
export function preview(text: string, max = 80): string {
  const cut = text.length > max;
  return JSON.stringify(cut ? text.slice(0, max) : text) + (cut ? '…' : '');
}

/** The match with some context around it: `…scheduled maintenance tonight…`, escaped like preview(). */
export function excerpt(text: string, at: { readonly index: number; readonly length: number }, context = 30): string {
  const from = Math.max(0, at.index - context);
  const to = Math.min(text.length, at.index + at.length + context);
  const inner = JSON.stringify(text.slice(from, to)).slice(1, -1);
  return `"${from > 0 ? '…' : ''}${inner}${to < text.length ? '…' : ''}"`;
}
