// Security benchmark: a synthetic NVD year (~40,000 records in NVD CVE JSON 2.0 shape,
// deterministic seed) is parsed, indexed and matched against 50,000 inventory components; then the
// same year is imported into the store (SQLite, one transaction), re-imported (all unchanged), read
// back, indexed and matched by every rule.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { matchInventory } from '../src/security/match/all.ts';
import type { SubjectComponent } from '../src/security/match/all.ts';
import { vulnDbFromRows } from '../src/security/match/load.ts';
import { SecurityService } from '../src/security/service/service.ts';
import { openSecurityStore } from '../src/security/store-open.ts';
import { systemClock } from '../src/shared/clock.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { parseNvdText } from '../src/security/feeds/nvd/parse.ts';
import { indexNvd, matchComponents } from '../src/security/match/match.ts';
import type { MatchComponent } from '../src/security/match/component.ts';

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function syntheticYear(records: number, seed: number): { text: string; pairs: Array<[string, string]> } {
  const r = rng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const ver = (): string => `${int(10)}.${int(20)}.${int(30)}`;
  const pairs: Array<[string, string]> = [];
  for (let v = 0; v < 3000; v++) for (let p = 0; p < 1 + int(3); p++) pairs.push([`vendor${v}`, `product${v}_${p}`]);
  const vulnerabilities = [];
  for (let i = 0; i < records; i++) {
    const [vendor, product] = pairs[int(pairs.length)]!;
    const cpeMatch = [];
    for (let m = 0; m < 1 + int(3); m++) {
      const lo = ver();
      const kind = int(4);
      cpeMatch.push({
        vulnerable: true,
        criteria: kind === 3 ? `cpe:2.3:a:${vendor}:${product}:${ver()}:*:*:*:*:*:*:*` : `cpe:2.3:a:${vendor}:${product}:*:*:*:*:*:*:*:*`,
        matchCriteriaId: `00000000-0000-0000-0000-${String(i * 4 + m).padStart(12, '0')}`,
        ...(kind === 0 ? { versionEndExcluding: ver() } : kind === 1 ? { versionStartIncluding: lo, versionEndIncluding: ver() } : kind === 2 ? { versionEndIncluding: ver() } : {}),
      });
    }
    const nodes: unknown[] = [{ operator: 'OR', negate: false, cpeMatch }];
    const and = int(5) === 0;
    if (and) nodes.push({ operator: 'OR', negate: false, cpeMatch: [{ vulnerable: false, criteria: `cpe:2.3:o:osvendor${int(50)}:os:-:*:*:*:*:*:*:*` }] });
    const score = Math.round(r() * 100) / 10;
    vulnerabilities.push({ cve: {
      id: `CVE-2025-${String(10000 + i)}`, sourceIdentifier: 'cna@example.org', published: '2025-03-01T12:00:00.000', lastModified: '2025-04-01T12:00:00.000', vulnStatus: 'Analyzed',
      descriptions: [{ lang: 'en', value: `Synthetic vulnerability ${i} in ${product} allows remote attackers to do something bad via crafted input.` }],
      metrics: { cvssMetricV31: [{ source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '3.1', vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', baseScore: score, baseSeverity: score >= 9 ? 'CRITICAL' : score >= 7 ? 'HIGH' : 'MEDIUM' }, exploitabilityScore: 3.9, impactScore: 5.9 }] },
      weaknesses: [{ source: 'nvd@nist.gov', type: 'Primary', description: [{ lang: 'en', value: `CWE-${int(900)}` }] }],
      configurations: [{ ...(and ? { operator: 'AND' } : {}), nodes }],
      references: [{ url: `https://example.org/advisory/${i}`, source: 'cna@example.org' }],
    } });
  }
  return { text: JSON.stringify({ resultsPerPage: records, startIndex: 0, totalResults: records, format: 'NVD_CVE', version: '2.0', vulnerabilities }), pairs };
}

export async function run(): Promise<Record<string, number | string>> {
  const RECORDS = 40_000;
  const COMPONENTS = 50_000;
  const t0 = performance.now();
  const { text, pairs } = syntheticYear(RECORDS, 7);
  const t1 = performance.now();
  // Parse only (the matcher's own cost), for comparison with the store path below.
  const parsed = parseNvdText(text);
  const t2 = performance.now();
  if (!parsed.ok) throw new Error(parsed.error);
  const index = indexNvd(parsed.value);
  const t3 = performance.now();
  const r = rng(11);
  const components: MatchComponent[] = [];
  for (let i = 0; i < COMPONENTS; i++) {
    // One in twenty is a vendor string (VA20A style), which exercises the 'possible' path.
    const version = i % 20 === 7 ? `VA${Math.floor(r() * 40)}A` : `${Math.floor(r() * 10)}.${Math.floor(r() * 20)}.${Math.floor(r() * 30)}`;
    if (i % 10 === 0) components.push({ id: `c${i}`, vendor: 'unknownvendor', product: `thing${i}`, version });
    else {
      const [vendor, product] = pairs[Math.floor(r() * pairs.length)]!;
      components.push(i % 3 === 0 ? { id: `c${i}`, cpe: `cpe:2.3:a:${vendor}:${product}:${version}:*:*:*:*:*:*:*`, version } : { id: `c${i}`, vendor, product, version });
    }
  }
  const t4 = performance.now();
  const c4 = process.cpuUsage();
  const result = matchComponents(components, index);
  const t5 = performance.now();
  // CPU time next to wall time: the bench machine is shared, and wall time includes waiting.
  const matchCpu = process.cpuUsage(c4);

  // The full path: the year imported INTO THE STORE (SQLite file, one transaction), read back,
  // indexed, and 50,000 inventory components matched by every rule (NVD, OSV, CSAF).
  const dir = mkdtempSync(join(tmpdir(), 'ww-bench-security-'));
  const store = openSqliteStore({ path: join(dir, 'wardwatch.db') });
  try {
    const sec = await openSecurityStore(store);
    const service = new SecurityService({ store: sec, clock: systemClock });
    const i0 = performance.now();
    const ci0 = process.cpuUsage();
    const imported = await service.importFeeds([{ name: 'nvd-2025.json', text }]);
    const i1 = performance.now();
    const importCpu = process.cpuUsage(ci0);
    const again = await service.importFeeds([{ name: 'nvd-2025.json', text }]);
    const i2 = performance.now();
    const rows = await sec.vulns();
    const loaded = vulnDbFromRows(rows, []);
    const i3 = performance.now();
    const subjectComponents: SubjectComponent[] = components.map((c) => ({ id: c.id, name: c.product ?? '', version: c.version, vendor: c.vendor, cpe: c.cpe }));
    const m0 = performance.now();
    const mc0 = process.cpuUsage();
    const matches = matchInventory(subjectComponents, loaded.db);
    const m1 = performance.now();
    const storeMatchCpu = process.cpuUsage(mc0);
    const mem = process.memoryUsage();
    return {
      records: RECORDS,
      feedMB: Math.round((text.length / 1e6) * 10) / 10,
      generateMs: Math.round(t1 - t0),
      parseMs: Math.round(t2 - t1),
      indexMs: Math.round(t3 - t2),
      indexKeys: index.byVendorProduct.size,
      components: COMPONENTS,
      matchMs: Math.round(t5 - t4),
      matchCpuMs: Math.round((matchCpu.user + matchCpu.system) / 1000),
      matchComponentsPerS: Math.round(COMPONENTS / ((t5 - t4) / 1000)),
      findings: result.findings.length,
      possibleFindings: result.findings.filter((f) => f.status === 'possible').length,
      storeImportMs: Math.round(i1 - i0),
      storeImportCpuMs: Math.round((importCpu.user + importCpu.system) / 1000),
      storeImportRecordsPerS: Math.round(RECORDS / ((i1 - i0) / 1000)),
      storeInserted: imported.vulns.inserted,
      storeReimportMs: Math.round(i2 - i1),
      storeReimportUnchanged: again.vulns.unchanged,
      storeLoadAndIndexMs: Math.round(i3 - i2),
      storeMatchMs: Math.round(m1 - m0),
      storeMatchCpuMs: Math.round((storeMatchCpu.user + storeMatchCpu.system) / 1000),
      storeMatches: matches.length,
      heapUsedMB: Math.round(mem.heapUsed / 1e6),
      rssMB: Math.round(mem.rss / 1e6),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const [k, v] of Object.entries(await run())) console.log(`${k.padEnd(24)} ${v}`);
}
