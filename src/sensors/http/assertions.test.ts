import { describe, expect, it } from 'vitest';
import { checkJson, checkKeyword, parseJsonPath } from './assertions.ts';
import { formatStatusSet, JSON_PATH, parseStatusSet } from './settings.ts';

describe('http answer checks', () => {
  it('parses JSON paths with indexes and quoted keys', () => {
    expect(parseJsonPath('$.entry[0].resource.status')).toEqual(['entry', 0, 'resource', 'status']);
    expect(parseJsonPath(`checks["db-main"]['state'][2]`)).toEqual(['checks', 'db-main', 'state', 2]);
    expect(parseJsonPath('$')).toEqual([]);
    expect(JSON_PATH.test('a..b')).toBe(false);
    expect(JSON_PATH.test('a[x]')).toBe(false);
  });

  it('compares JSON values exactly, as text, or by regex', () => {
    const body = JSON.stringify({ total: 3, ok: true, name: 'LIS', list: [null, { 'db-main': 'up' }] });
    expect(checkJson(body, 'total', 3, '')).toBeUndefined();
    expect(checkJson(body, 'total', '3', '')).toBeUndefined();
    expect(checkJson(body, 'total', 4, '')).toEqual({ code: 'HTTP_JSON_MISMATCH', message: 'total: expected 4, got 3' });
    expect(checkJson(body, 'list[0]', null, '')).toBeUndefined();
    expect(checkJson(body, 'list[1]["db-main"]', '/^up$/', '')).toBeUndefined();
    expect(checkJson(body, 'name.length', undefined, '')).toEqual({ code: 'HTTP_JSON_MISMATCH', message: 'name.length: not present in the response' });
    expect(checkJson('{"a":', 'a', undefined, ' (only the first 1 MiB read)')).toEqual({ code: 'HTTP_JSON_INVALID', message: 'response is not valid JSON (only the first 1 MiB read): "{\\"a\\":"' });
  });

  it('says which keyword is missing, and notes a cut body', () => {
    expect(checkKeyword('abc', 'abc', '')).toBeUndefined();
    expect(checkKeyword('abc', 'xyz', ' (only the first 1 KiB read)')).toEqual({ code: 'HTTP_KEYWORD_MISSING', message: '"xyz" not found in the page (only the first 1 KiB read)' });
  });

  it('parses status sets', () => {
    expect(parseStatusSet('200-299, 301')).toEqual([{ from: 200, to: 299 }, { from: 301, to: 301 }]);
    expect(parseStatusSet([204, '400-404'])).toEqual([{ from: 204, to: 204 }, { from: 400, to: 404 }]);
    expect(parseStatusSet(600)).toBe('expected a status code or a range such as 200-299, got 600');
    expect(formatStatusSet([{ from: 200, to: 299 }, { from: 301, to: 301 }])).toBe('200-299, 301');
  });
});
