import { describe, expect, it } from 'vitest';
import { compilePattern, excerpt, patternProblem, preview, unescapeText } from './text.ts';

describe('line-protocol text helpers', () => {
  it('unescapes C-style escapes and leaves the rest alone', () => {
    expect(unescapeText('HELO a\\r\\n\\t\\x41\\u00e9\\\\n\\0')).toBe('HELO a\r\n\tAé\\n\0');
    expect(unescapeText('plain \\q text')).toBe('plain \\q text');
  });

  it('compiles /regex/flags and plain substrings', () => {
    const re = compilePattern('/^220 .*ready/i');
    expect(re.test('220 Mail READY\r\n')).toBe(true);
    expect(re.test('421 busy')).toBe(false);
    const g = compilePattern('/ok/g');
    // stateful flags are dropped: the same input matches every time
    expect([g.test('ok'), g.test('ok')]).toEqual([true, true]);
    const text = compilePattern('MSA|AA');
    expect(text.test('MSH|...\rMSA|AA|1')).toBe(true);
    expect(text.source).toBe('"MSA|AA"');
    expect(compilePattern('a\\r\\nb').test('a\r\nb')).toBe(true);
  });

  it('finds a match and quotes it with context', () => {
    const page = 'Welcome to the LIMS. The system is down for maintenance until 06:00.\n';
    const at = compilePattern('/down for \\w+/').find(page);
    expect(at).toEqual({ index: 35, length: 20 });
    expect(excerpt(page, at!, 10)).toBe('"…system is down for maintenance until 06:…"');
    expect(excerpt('short', { index: 0, length: 5 })).toBe('"short"');
    expect(compilePattern('absent').find(page)).toBeUndefined();
  });

  it('names a broken regular expression', () => {
    expect(patternProblem('/[a-/')).toBe('invalid regular expression /[a-/: Unterminated character class');
    expect(patternProblem('/ok/')).toBeUndefined();
    expect(patternProblem('not a regex [')).toBeUndefined();
  });

  it('previews text escaped and cut', () => {
    expect(preview('220 ok\r\n')).toBe('"220 ok\\r\\n"');
    expect(preview('abcdef', 3)).toBe('"abc"…');
    expect(preview('\u0001x')).toBe('"\\u0001x"');
  });
});
