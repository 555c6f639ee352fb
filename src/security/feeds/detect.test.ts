import { describe, expect, it } from 'vitest';
import { FEEDS } from '../service/testing.ts';
import { detectFeed, readFeed, readFeedText } from './detect.ts';

const nvd = JSON.parse(FEEDS.nvd.text) as { vulnerabilities: Array<{ cve: { id: string } }> };

describe('feed detection', () => {
  it.each<[string, unknown, string | undefined]>([
    ['NVD bulk', nvd, 'nvd'], ['NVD single item', nvd.vulnerabilities[0], 'nvd'], ['bare NVD CVE', nvd.vulnerabilities[0]!.cve, 'nvd'],
    ['KEV', JSON.parse(FEEDS.kev.text), 'kev'], ['OSV record', JSON.parse(FEEDS.osv.text), 'osv'], ['OSV array', [JSON.parse(FEEDS.osv.text)], 'osv'],
    ['OSV query answer', { vulns: [] }, 'osv'], ['CSAF', JSON.parse(FEEDS.csaf.text), 'csaf'], ['empty NVD page', { format: 'NVD_CVE', vulnerabilities: [] }, 'nvd'],
    ['empty KEV', { catalogVersion: '1', vulnerabilities: [] }, 'kev'], ['something else', { vulnerabilities: [{ x: 1 }] }, undefined], ['a number', 3, undefined],
  ])('%s → %s', (_n, json, kind) => {
    expect(detectFeed(json)).toBe(kind);
  });
  it('imports single NVD records with their lastModified as the version', () => {
    const r = readFeed(nvd.vulnerabilities[1]);
    expect(r.ok && r.value.vulns.map((v) => [v.source, v.id, v.modified])).toEqual([['nvd', 'CVE-2022-2120', '2022-07-13T19:00:00.000']]);
    const bare = readFeed(nvd.vulnerabilities[1]!.cve);
    expect(bare.ok && bare.value.vulns[0]!.doc).toEqual(nvd.vulnerabilities[1]!.cve);
  });
  it('names the file in errors', () => {
    expect(readFeedText('{"x": 1}', 'feed.json')).toEqual({ ok: false, error: 'feed.json: (top level): not a feed Wardwatch reads: expected NVD CVE JSON 2.0, the CISA KEV catalog, OSV JSON or a CSAF 2.0 document' });
  });
});
