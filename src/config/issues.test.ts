// Small pieces of the loader: "did you mean", path text, YAML positions and cycle finding.

import { LineCounter, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { slug } from './document.ts';
import { editDistance, suggest } from './issues.ts';
import { formatPath, locate } from './positions.ts';

describe('suggest', () => {
  it('proposes the closest key for a typo, and nothing for an unrelated word', () => {
    expect(suggest('prot', ['host', 'port', 'send'])).toBe('port');
    expect(suggest('intervall', ['interval', 'timeout'])).toBe('interval');
    expect(suggest('Port', ['port'])).toBe('port');
    expect(suggest('colour', ['name', 'host', 'sensors'])).toBeUndefined();
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('paths and positions', () => {
  it('formats paths like code', () => {
    expect(formatPath(['sites', 0, 'probes', 1, 'channels', 'connectTimeMs'])).toBe('sites[0].probes[1].channels.connectTimeMs');
    expect(formatPath(['channels', 'rtt avg'])).toBe('channels["rtt avg"]');
    expect(formatPath([])).toBe('');
  });

  it('points at the value, at the key on request, and at the parent mapping for a missing key', () => {
    const lc = new LineCounter();
    const doc = parseDocument('a:\n  - name: x\n    port: abc\n  - { host: h }\n  - empty:\n', { lineCounter: lc });
    expect(locate(doc, lc, ['a', 0, 'port'])).toEqual({ line: 3, column: 11 });
    expect(locate(doc, lc, ['a', 0, 'port'], true)).toEqual({ line: 3, column: 5 });
    expect(locate(doc, lc, ['a', 1, 'name'])).toEqual({ line: 4, column: 5 });
    expect(locate(doc, lc, ['a', 2, 'empty'])).toEqual({ line: 5, column: 5 });
  });

  it('makes ids from names', () => {
    expect(slug('St. Elsewhere General')).toBe('st-elsewhere-general');
    expect(slug('Röntgen – CT 2')).toBe('rontgen-ct-2');
    expect(slug('!!!')).toBe('');
  });
});
