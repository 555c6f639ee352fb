import { describe, expect, it } from 'vitest';
import { cpeMatches, parseCpe } from './cpe.ts';
import type { Cpe } from './cpe.ts';

function cpe(s: string): Cpe {
  const r = parseCpe(s);
  if (!r.ok) throw new Error(r.error);
  return r.cpe;
}

describe('parseCpe', () => {
  it('parses ANY, NA and values, lowercased', () => {
    const c = cpe('cpe:2.3:a:OFFIS:DCMTK:3.6.6:-:*:*:*:*:*:*');
    expect(c.part).toEqual({ kind: 'value', text: 'a', wildcard: undefined });
    expect(c.vendor).toEqual({ kind: 'value', text: 'offis', wildcard: undefined });
    expect(c.version).toEqual({ kind: 'value', text: '3.6.6', wildcard: undefined });
    expect(c.update).toEqual({ kind: 'na' });
    expect(c.edition).toEqual({ kind: 'any' });
    expect(c.source).toBe('cpe:2.3:a:OFFIS:DCMTK:3.6.6:-:*:*:*:*:*:*');
  });
  it('unescapes quoted characters and keeps escaped colons inside a value', () => {
    const c = cpe('cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003\\:x64:*:*');
    expect(c.targetSw).toEqual({ kind: 'value', text: 'win2003:x64', wildcard: undefined });
    expect(cpe('cpe:2.3:a:foo\\.bar:baz\\!:1\\.0:*:*:*:*:*:*:*').vendor).toEqual({ kind: 'value', text: 'foo.bar', wildcard: undefined });
    expect(cpe('cpe:2.3:a:x:a\\*b:*:*:*:*:*:*:*:*').product).toEqual({ kind: 'value', text: 'a*b', wildcard: undefined });
  });
  it.each([
    ['cpe:/a:offis:dcmtk:3.6.6', 'not a CPE 2.3 string (must start with "cpe:2.3:"): "cpe:/a:offis:dcmtk:3.6.6"'],
    ['cpe:2.3:a:offis:dcmtk', 'a CPE 2.3 string has 11 attributes after "cpe:2.3:", got 3: "cpe:2.3:a:offis:dcmtk"'],
    ['cpe:2.3:a:offis:dcm tk:*:*:*:*:*:*:*:*', 'product has the unescaped character " ": "cpe:2.3:a:offis:dcm tk:*:*:*:*:*:*:*:*"'],
    ['cpe:2.3:x:offis:dcmtk:*:*:*:*:*:*:*:*', 'part must be a, o, h or *, got "x": "cpe:2.3:x:offis:dcmtk:*:*:*:*:*:*:*:*"'],
    ['cpe:2.3:a::dcmtk:*:*:*:*:*:*:*:*', 'vendor is empty: "cpe:2.3:a::dcmtk:*:*:*:*:*:*:*:*"'],
    ['cpe:2.3:a:offis:dcmtk:*:*:*:*:*:*:*:x\\', 'other ends with a lone backslash: "cpe:2.3:a:offis:dcmtk:*:*:*:*:*:*:*:x\\"'],
  ])('rejects %s', (s, error) => {
    expect(parseCpe(s)).toEqual({ ok: false, error });
  });
});

describe('cpeMatches (NISTIR 7696)', () => {
  it.each([
    // pattern, target, match
    ['cpe:2.3:a:offis:dcmtk:*:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', true],
    ['cpe:2.3:a:OFFIS:DCMTK:*:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', true],
    ['cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', true],
    ['cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:3.6.7:*:*:*:*:*:*:*', false],
    ['cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:*:*:*:*:*:*:*:*', false], // SUBSET
    ['cpe:2.3:a:offis:dcmtk:-:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:-:*:*:*:*:*:*:*', true], // NA = NA
    ['cpe:2.3:a:offis:dcmtk:-:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:*:*:*:*:*:*:*:*', false], // NA vs ANY
    ['cpe:2.3:a:offis:dcmtk:-:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', false], // NA vs value
    ['cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:-:*:*:*:*:*:*:*', false], // value vs NA
    ['cpe:2.3:a:offis:dcmtk:*:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:-:*:*:*:*:*:*:*', true], // ANY vs NA
    ['cpe:2.3:o:offis:dcmtk:*:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', false],
    ['cpe:2.3:a:offis:dcmtk:3.6.*:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', true],
    ['cpe:2.3:a:offis:dcmtk:3.6.*:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:3.7.0:*:*:*:*:*:*:*', false],
    ['cpe:2.3:a:offis:dcmtk:3.6.?:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:3.6.6:*:*:*:*:*:*:*', true],
    ['cpe:2.3:a:offis:dcmtk:3.6.?:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:3.6.10:*:*:*:*:*:*:*', false],
    ['cpe:2.3:a:offis:dcmtk:3.6.*:*:*:*:*:*:*:*', 'cpe:2.3:a:offis:dcmtk:3.6.*:*:*:*:*:*:*:*', false], // wildcard target: undefined
    ['cpe:2.3:a:x:a\\*b:*:*:*:*:*:*:*:*', 'cpe:2.3:a:x:axxb:*:*:*:*:*:*:*:*', false], // escaped star is literal
    ['cpe:2.3:a:x:a\\*b:*:*:*:*:*:*:*:*', 'cpe:2.3:a:x:a\\*b:*:*:*:*:*:*:*:*', true],
    ['cpe:2.3:a:x:a.b:*:*:*:*:*:*:*:*', 'cpe:2.3:a:x:axb:*:*:*:*:*:*:*:*', false], // dot is not a regex dot
  ])('%s covers %s → %s', (p, t, want) => {
    expect(cpeMatches(cpe(p), cpe(t))).toBe(want);
  });
});
