import { describe, expect, it } from 'vitest';
import { parsePurl, purlMatches } from './purl.ts';
import type { Purl } from './purl.ts';

function purl(s: string): Purl {
  const r = parsePurl(s);
  if (!r.ok) throw new Error(r.error);
  return r.purl;
}

describe('parsePurl', () => {
  it('parses every part with percent-decoding', () => {
    expect(purl('pkg:npm/%40angular/core@16.2.0?repository_url=https%3A%2F%2Fr.example%2Fnpm&Arch=x86#lib/%7Ecore/')).toEqual({
      type: 'npm', namespace: '@angular', name: 'core', version: '16.2.0',
      qualifiers: { repository_url: 'https://r.example/npm', arch: 'x86' }, subpath: 'lib/~core',
    });
  });
  it('keeps namespaces of several segments and no version', () => {
    expect(purl('pkg:maven/org.apache.logging.log4j/log4j-core')).toEqual({
      type: 'maven', namespace: 'org.apache.logging.log4j', name: 'log4j-core', version: undefined, qualifiers: {}, subpath: undefined,
    });
    expect(purl('pkg:golang/github.com/gorilla/context@v1.1.1').namespace).toBe('github.com/gorilla');
  });
  it('normalises names by type', () => {
    expect(purl('pkg:PyPI/Django_REST.framework@3.0').name).toBe('django-rest-framework');
    expect(purl('pkg:npm/Lodash@4.17.20').name).toBe('lodash');
    expect(purl('pkg:github/Package-URL/Purl-Spec').namespace).toBe('package-url');
    // Maven names are case-sensitive.
    expect(purl('pkg:maven/org.Example/Thing@1').name).toBe('Thing');
  });
  it('accepts the "pkg://" form', () => {
    expect(purl('pkg://deb/debian/dcmtk@3.6.7-9').name).toBe('dcmtk');
  });
  it.each([
    ['npm/lodash@1', 'a purl starts with "pkg:": "npm/lodash@1"'],
    ['pkg:lodash', 'a purl needs a name: "pkg:lodash"'],
    ['pkg:/lodash', 'a purl needs a name: "pkg:/lodash"'],
    ['pkg:9x/a', 'a purl needs a type made of letters, digits, ".", "+" or "-": "pkg:9x/a"'],
    ['pkg:npm/a%zz', 'name has a bad percent-encoding: "a%zz"'],
    ['pkg:npm/a?novalue', 'qualifier "novalue" is not key=value: "pkg:npm/a?novalue"'],
  ])('rejects %s', (s, error) => {
    expect(parsePurl(s)).toEqual({ ok: false, error });
  });
});

describe('purlMatches', () => {
  it.each([
    ['pkg:npm/lodash@4.17.20', 'pkg:npm/lodash', true],
    ['pkg:npm/Lodash@4.17.20', 'pkg:npm/lodash', true],
    ['pkg:pypi/django_rest_framework@3.0', 'pkg:pypi/Django-REST-Framework', true],
    ['pkg:npm/lodash@4.17.20', 'pkg:npm/lodash-es', false],
    ['pkg:npm/lodash@4.17.20', 'pkg:pypi/lodash', false],
    ['pkg:npm/%40angular/core@16', 'pkg:npm/core', false],
    ['pkg:maven/org.apache/log4j@1', 'pkg:maven/org.apache/Log4j', false],
    ['pkg:deb/debian/dcmtk@3.6.7?arch=amd64&distro=bookworm', 'pkg:deb/debian/dcmtk?distro=bookworm', true],
    ['pkg:deb/debian/dcmtk@3.6.7?distro=bullseye', 'pkg:deb/debian/dcmtk?distro=bookworm', false],
    ['pkg:deb/debian/dcmtk@3.6.7', 'pkg:deb/debian/dcmtk?distro=bookworm', false],
  ])('%s vs %s → %s', (c, v, want) => {
    expect(purlMatches(purl(c), purl(v))).toBe(want);
  });
});
