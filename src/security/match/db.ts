// The vulnerability knowledge matching runs against: NVD records indexed by vendor:product (the
// first slice's index), OSV records by purl package and ecosystem name, CSAF products by name,
// purl and CPE, and the KEV catalog by CVE id. Built from parsed records or from the store's rows.

import type { CsafAdvisory, CsafProduct, CsafVulnerability } from '../feeds/csaf/csaf.ts';
import type { KevCatalog, KevEntry } from '../feeds/kev/kev.ts';
import type { NvdRecord } from '../feeds/nvd/parse.ts';
import type { OsvAffected, OsvRecord } from '../feeds/osv/osv.ts';
import { parsePurl } from '../purl/purl.ts';
import { indexNvd } from './match.ts';
import type { NvdIndex } from './match.ts';

export interface OsvEntry {
  readonly record: OsvRecord;
  readonly affected: OsvAffected;
}

export interface CsafEntry {
  readonly advisory: CsafAdvisory;
  readonly product: CsafProduct;
  readonly vulns: ReadonlyArray<{ readonly vuln: CsafVulnerability; readonly status: 'affected' | 'under_investigation' }>;
}

export interface VulnDb {
  readonly nvd: NvdIndex;
  readonly nvdById: ReadonlyMap<string, NvdRecord>;
  /** By "ecosystem-lowercase:name" (ecosystem without a release suffix such as Debian:11). */
  readonly osvByPackage: ReadonlyMap<string, readonly OsvEntry[]>;
  /** By normalised product name, model number and purl package key. */
  readonly csafByKey: ReadonlyMap<string, readonly CsafEntry[]>;
  readonly kev: KevCatalog;
  readonly counts: { readonly nvd: number; readonly osv: number; readonly csaf: number; readonly kev: number };
}

/** Lowercase letters and digits only: "OFFIS e.V." → "offisev", "Open-Source DCMTK" → "opensourcedcmtk". */
export function squash(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

const PURL_ECOSYSTEM: Readonly<Record<string, string>> = {
  npm: 'npm', pypi: 'pypi', maven: 'maven', golang: 'go', cargo: 'crates.io', gem: 'rubygems', nuget: 'nuget',
  composer: 'packagist', hex: 'hex', pub: 'pub', deb: 'debian', apk: 'alpine', hackage: 'hackage', cran: 'cran', swift: 'swifturl',
};

/** The OSV package key a purl corresponds to, or undefined for purl types OSV has no ecosystem for. */
export function osvKeyOfPurl(purl: string): string | undefined {
  const p = parsePurl(purl);
  if (!p.ok) return undefined;
  const eco = PURL_ECOSYSTEM[p.purl.type];
  if (eco === undefined) return undefined;
  const ns = p.purl.namespace;
  const name = p.purl.type === 'maven' && ns ? `${ns}:${p.purl.name}` : ns && !['deb', 'apk'].includes(p.purl.type) ? `${ns}/${p.purl.name}` : p.purl.name;
  return `${eco}:${p.purl.type === 'pypi' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name}`;
}

export function osvKey(ecosystem: string, name: string): string {
  const eco = (ecosystem.split(':')[0] ?? ecosystem).toLowerCase();
  return `${eco}:${eco === 'pypi' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name}`;
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const l = m.get(k);
  if (l === undefined) m.set(k, [v]);
  else l.push(v);
}

export function buildVulnDb(nvd: readonly NvdRecord[], osv: readonly OsvRecord[], csaf: readonly CsafAdvisory[], kev: readonly KevEntry[]): VulnDb {
  const osvByPackage = new Map<string, OsvEntry[]>();
  for (const r of osv) {
    if (r.withdrawn) continue;
    for (const a of r.affected) push(osvByPackage, osvKey(a.ecosystem, a.name), { record: r, affected: a });
  }
  const csafByKey = new Map<string, CsafEntry[]>();
  for (const adv of csaf) {
    for (const product of adv.products.values()) {
      const vulns: Array<{ vuln: CsafVulnerability; status: 'affected' | 'under_investigation' }> = [];
      for (const v of adv.vulnerabilities) {
        const s = v.status.get(product.productId);
        if (s === 'affected' || s === 'under_investigation') vulns.push({ vuln: v, status: s });
      }
      if (vulns.length === 0) continue;
      const entry = { advisory: adv, product, vulns };
      const keys = new Set<string>();
      if (product.product !== undefined) keys.add(`name:${squash(product.product)}`);
      keys.add(`name:${squash(product.name)}`);
      for (const m of product.modelNumbers) keys.add(`name:${squash(m)}`);
      if (product.purl !== undefined) {
        const k = osvKeyOfPurl(product.purl);
        const p = parsePurl(product.purl);
        if (p.ok) keys.add(`purl:${p.purl.type}/${p.purl.namespace ?? ''}/${p.purl.name}`);
        if (k !== undefined) keys.add(`osv:${k}`);
      }
      for (const k of keys) push(csafByKey, k, entry);
    }
  }
  return {
    nvd: indexNvd(nvd),
    nvdById: new Map(nvd.map((r) => [r.id, r])),
    osvByPackage,
    csafByKey,
    kev: { version: undefined, released: undefined, entries: new Map(kev.map((e) => [e.cveId, e])) },
    counts: { nvd: nvd.length, osv: osv.length, csaf: csaf.length, kev: kev.length },
  };
}
