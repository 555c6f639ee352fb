import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bufferIo } from './io.ts';
import { securityCommand } from './security.ts';

const fx = (rel: string): string => new URL(`../security/${rel}`, import.meta.url).pathname;
const NOW = () => Date.UTC(2026, 5, 1);
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ww-sec-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]) {
  const io = bufferIo();
  const code = await securityCommand([...args, '--data', dir], io, NOW);
  return { code, out: io.stdout.replace(/\d+\.\d s/g, 'T s'), err: io.stderr };
}

describe('wardwatch security', () => {
  it('imports feeds with progress lines, an SBOM with NTIA gaps, lists findings, triages and reports', async () => {
    const feeds = await run('import-feed', fx('feeds/nvd/__fixtures__/dcmtk-2022.json'), fx('feeds/kev/__fixtures__/kev.json'), fx('feeds/csaf/__fixtures__/icsma-22-174-01.json'));
    expect(feeds.code).toBe(0);
    expect(feeds.out.split('\n').map((l) => l.replace(/ \S+\/(\S+\.json)/, ' $1'))).toEqual([
      'read dcmtk-2022.json (nvd): 3 records so far, T s', 'read kev.json (kev): 5 records so far, T s', 'read icsma-22-174-01.json (csaf): 8 records so far, T s',
      'stored 4 records, T s', 'matched: 0 findings from 8 records, T s',
      'feeds: 4 new, 0 updated, 0 unchanged; KEV: 2 new, 0 updated, 0 unchanged', 'findings: 0 (0 open, 0 new, 0 resolved)', '',
    ]);
    const sbom = await run('import-sbom', fx('sbom/__fixtures__/ct-console.cdx.json'), '--device', 'ct-1');
    expect(sbom.code).toBe(0);
    expect(sbom.out).toContain('NTIA minimum elements missing in component zlib: supplier, version, unique identifier, dependency relationship\n');
    expect(sbom.out).toContain('findings: 3 (3 open, 3 new, 0 resolved)\n');
    const list = await run('findings');
    const lines = list.out.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^[0-9a-f]{20} {2} 9\.5 critical KEV CVE-2022-2119 {4}ct-1: DCMTK 3\.6\.6$/);
    const id = lines[0]!.slice(0, 20);
    const t = await run('triage', id, '--state', 'not_affected', '--justification', 'code_not_reachable', '--by', 'alice');
    expect(t.code).toBe(0);
    expect(t.out).toContain('[not_affected] (closed)');
    expect((await run('findings')).out.trim().split('\n')).toHaveLength(2);
    const json = JSON.parse((await run('findings', '--all', '--json')).out) as Array<{ id: string; why: unknown[] }>;
    expect(json).toHaveLength(3);
    const csv = await run('report', '--format', 'csv');
    expect(csv.out.split('\r\n')[1]).toBe('device,ct-1,2,0,1,1,0,0,0,1,OpenSSL 1.0.2k,3,0,0,');
    const out = join(dir, 'vex.json');
    expect((await run('export-vex', '--out', out)).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    const vex = await run('import-vex', out, '--by', 'bob');
    expect(vex.out).toMatch(/: 1 statements applied\n$/);
    // A model's SBOM applies to the devices set to that model.
    expect((await run('import-sbom', fx('sbom/__fixtures__/ct-console.spdx.json'), '--model', 'CT Console')).code).toBe(0);
    const dev = await run('device', 'ct-2', '--model', 'CT Console', '--manufacturer', 'Acme Medical');
    expect(dev.out).toBe('device ct-2: model CT Console, manufacturer Acme Medical, version (none), 0 own components\nfindings: 9 (5 open, 3 new, 3 resolved)\n');
  });
  it('rejects a malformed feed without storing anything, and bad usage with the usage text', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ vulnerabilities: [{ cve: { id: 'CVE-1' } }] }));
    const r = await run('import-feed', fx('feeds/kev/__fixtures__/kev.json'), bad);
    expect([r.code, r.err]).toEqual([1, `${bad}: vulnerabilities[0].cve.id: expected a CVE id like CVE-2022-2119, got "CVE-1" (and 3 more problems)\n`]);
    expect((await run('report', '--format', 'json')).out).toBe('[]\n');
    const missing = await run('import-feed', join(dir, 'nope.json'));
    expect([missing.code, missing.err]).toEqual([1, `${join(dir, 'nope.json')}: cannot read the file: file not found\n`]);
    const u = await run('import-sbom', fx('sbom/__fixtures__/ct-console.cdx.json'));
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/^import-sbom needs one FILE and either --device ID or --model NAME\nusage: wardwatch security/);
    expect((await run('report', '--format', 'xml')).err).toMatch(/^--format: expected csv or json, got "xml"/);
    expect((await run('frobnicate')).code).toBe(2);
  });
});
