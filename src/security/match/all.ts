// Matches one inventory against everything the VulnDb knows: NVD by CPE (the first slice's
// matcher), OSV by purl / ecosystem name and ranges, CSAF by purl, CPE or vendor + product name
// (or model number) and version or version range. One result per component and vulnerability,
// merging every rule that found it, each with its why.

import { cpeMatches, parseCpe } from '../cpe/cpe.ts';
import type { CsafProduct, CsafRemediation } from '../feeds/csaf/csaf.ts';
import { parsePurl, purlMatches } from '../purl/purl.ts';
import { compareVersions } from '../versions/compare.ts';
import { describeRange, inVersionSet } from '../versions/ranges.ts';
import { cpeName } from './component.ts';
import type { CsafEntry, VulnDb } from './db.ts';
import { osvKeyOfPurl, squash } from './db.ts';
import { matchComponents } from './match.ts';
import { bestCvss } from '../feeds/nvd/parse.ts';
import type { CvssInput } from '../risk/risk.ts';

export interface SubjectComponent {
  readonly id: string;
  readonly name: string;
  readonly version?: string | undefined;
  readonly vendor?: string | undefined;
  readonly supplier?: string | undefined;
  readonly purl?: string | undefined;
  readonly cpe?: string | undefined;
}

export interface MatchWhy {
  readonly rule: 'cpe' | 'purl' | 'osv' | 'csaf';
  /** "NVD", "OSV GHSA-35jh-r3h4-6jhm", "CSAF ICSMA-22-174-01". */
  readonly source: string;
  /** What was matched: the CPE criteria, the purl, "vendor OFFIS, product DCMTK". */
  readonly criteria: string;
  /** The version rule: "< 3.6.7", "= 5.2", "all versions". */
  readonly range: string;
  readonly nodePath?: string | undefined;
  readonly requires?: readonly string[] | undefined;
}

export interface VulnMatch {
  readonly componentId: string;
  readonly vulnId: string;
  readonly aliases: readonly string[];
  readonly status: 'affected' | 'possible';
  readonly reasons: readonly string[];
  readonly why: readonly MatchWhy[];
  readonly title?: string | undefined;
  readonly remediations: readonly CsafRemediation[];
  /** The best score a source gave (NVD: v4.0 > v3.1 > v3.0 > v2). */
  readonly cvss?: CvssInput | undefined;
}

const UNSTATED = 'unstated';

/** Version check shared by OSV and CSAF: yes, no, or possible with the reason. */
type VersionVerdict = { readonly kind: 'yes' } | { readonly kind: 'no' } | { readonly kind: 'possible'; readonly reason: string };

function versionVerdict(version: string | undefined, test: (v: string) => boolean | 'unknown', ruleText: string): VersionVerdict {
  if (version === undefined || version === '') return { kind: 'possible', reason: `the component has no version to compare with ${ruleText}` };
  const r = test(version);
  if (r === true) return { kind: 'yes' };
  if (r === false) return { kind: 'no' };
  return { kind: 'possible', reason: `version "${version}" cannot be compared with ${ruleText}` };
}

class Collector {
  readonly out = new Map<string, { -readonly [K in keyof VulnMatch]: VulnMatch[K] }>();
  add(m: VulnMatch): void {
    const key = `${m.componentId}\u0000${m.vulnId}`;
    const prev = this.out.get(key);
    if (prev === undefined) {
      this.out.set(key, { ...m, why: [...m.why], reasons: [...m.reasons], aliases: [...m.aliases], remediations: [...m.remediations] });
      return;
    }
    if (m.status === 'affected' && prev.status === 'possible') {
      prev.status = 'affected';
      prev.reasons = [];
    } else if (m.status === 'possible' && prev.status === 'possible') prev.reasons = [...new Set([...prev.reasons, ...m.reasons])];
    prev.why = [...prev.why, ...m.why];
    prev.aliases = [...new Set([...prev.aliases, ...m.aliases])];
    prev.remediations = [...prev.remediations, ...m.remediations];
    prev.title ??= m.title;
    prev.cvss ??= m.cvss;
  }
}

function nvdPass(components: readonly SubjectComponent[], db: VulnDb, col: Collector): void {
  const input = components.map((c) => {
    // A supplier whose first word is the NVD vendor of this very product names the vendor.
    let vendor = c.vendor;
    if (vendor === undefined && c.cpe === undefined && c.supplier !== undefined) {
      const guess = cpeName(c.supplier.split(/[\s,]+/)[0] ?? '');
      if (db.nvd.byVendorProduct.has(`${guess}:${cpeName(c.name)}`)) vendor = guess;
    }
    return { id: c.id, cpe: c.cpe, vendor, product: c.name, version: c.version ?? UNSTATED };
  });
  for (const f of matchComponents(input, db.nvd, db.kev).findings) {
    const r = db.nvdById.get(f.cveId);
    const best = r !== undefined ? bestCvss(r) : undefined;
    col.add({
      componentId: f.componentId, vulnId: f.cveId, aliases: [], status: f.status,
      reasons: f.reasons.map((r) => r.replace(`version "${UNSTATED}" cannot be compared with`, 'the component has no version to compare with')),
      why: [{ rule: 'cpe', source: 'NVD', criteria: f.why.criteria, range: describeRange(f.why.range), nodePath: f.why.nodePath, requires: f.why.requires }],
      title: r?.description, remediations: [],
      cvss: best !== undefined ? { version: best.version, baseScore: best.baseScore, vector: best.vector, source: best.source } : undefined,
    });
  }
}

function osvPass(c: SubjectComponent, db: VulnDb, col: Collector): void {
  if (c.purl === undefined) return;
  const key = osvKeyOfPurl(c.purl);
  if (key === undefined) return;
  const purl = parsePurl(c.purl);
  const version = c.version ?? (purl.ok ? purl.purl.version : undefined);
  for (const { record, affected } of db.osvByPackage.get(key) ?? []) {
    if (affected.purl !== undefined) {
      const vp = parsePurl(affected.purl);
      if (!purl.ok || !vp.ok || !purlMatches(purl.purl, vp.purl)) continue;
    }
    const listed = version !== undefined && affected.versions.includes(version);
    // Only GIT ranges and no versions list: they name commits, which the inventory does not have,
    // so the record can neither confirm nor rule out the component; it is reported as possible.
    const gitOnly = affected.ranges.length === 0 && affected.versions.length === 0 && affected.gitRangeText !== '';
    const rangeText = affected.rangeText || (gitOnly ? `commits (${affected.gitRangeText})` : `versions ${affected.versions.join(', ')}`);
    const verdict: VersionVerdict = listed ? { kind: 'yes' } : gitOnly ? versionVerdict(version, () => 'unknown', rangeText)
      : affected.ranges.length === 0 && affected.versions.length > 0
      ? (version === undefined ? { kind: 'possible', reason: `the component has no version to compare with ${rangeText}` } : { kind: 'no' })
      : versionVerdict(version, (v) => {
        let unknown = false;
        for (const r of affected.ranges) {
          const x = inVersionSet(v, { all: false, ranges: [r], exact: [], excluded: [], text: '' });
          if (x === true) return true;
          if (x === 'unknown') unknown = true;
        }
        return unknown ? 'unknown' : false;
      }, rangeText);
    if (verdict.kind === 'no') continue;
    const cve = record.aliases.find((a) => /^CVE-\d{4}-\d+$/.test(a));
    col.add({
      componentId: c.id, vulnId: cve ?? record.id, aliases: cve !== undefined ? [record.id, ...record.aliases.filter((a) => a !== cve)] : record.aliases,
      status: verdict.kind === 'yes' ? 'affected' : 'possible', reasons: verdict.kind === 'possible' ? [verdict.reason] : [],
      why: [{ rule: affected.purl !== undefined ? 'purl' : 'osv', source: `OSV ${record.id}`, criteria: affected.purl ?? `${affected.ecosystem} ${affected.name}`, range: rangeText }],
      title: record.summary, remediations: [],
      cvss: record.cvss?.baseScore !== undefined ? { version: record.cvss.version, baseScore: record.cvss.baseScore, vector: record.cvss.vector, source: `OSV ${record.id}`, nomenclature: record.cvss.nomenclature } : undefined,
    });
  }
}

function vendorAgrees(stated: string | undefined, ours: readonly (string | undefined)[]): boolean | 'unknown' {
  if (stated === undefined) return true;
  const s = squash(stated);
  const known = ours.filter((o): o is string => o !== undefined && o !== '').map(squash);
  if (known.length === 0) return 'unknown';
  return known.some((o) => o.includes(s) || s.includes(o));
}

export interface ProductMatch {
  readonly rule: MatchWhy['rule'];
  readonly criteria: string;
  readonly range: string;
  /** Empty when certain; otherwise what could not be decided. */
  readonly reasons: readonly string[];
}

/** Whether a CSAF product is this component (purl, CPE, or vendor + name), at this version. */
export function matchCsafProduct(p: CsafProduct, c: SubjectComponent, manufacturer: string | undefined): ProductMatch | undefined {
  const reasons: string[] = [];
  let criteria: string;
  let rule: MatchWhy['rule'] = 'csaf';
  const purl = c.purl !== undefined ? parsePurl(c.purl) : undefined;
  const ccpe = c.cpe !== undefined ? parseCpe(c.cpe) : undefined;
  if (p.purl !== undefined && purl?.ok) {
    const pp = parsePurl(p.purl);
    if (!pp.ok || !purlMatches(purl.purl, pp.purl)) return undefined;
    rule = 'purl';
    criteria = p.purl;
  } else if (p.cpe !== undefined && ccpe?.ok) {
    const pc = parseCpe(p.cpe);
    if (!pc.ok || !cpeMatches(pc.cpe, ccpe.cpe, ['version'])) return undefined;
    criteria = p.cpe;
  } else {
    const names = [p.product, p.name, ...p.modelNumbers].filter((n): n is string => n !== undefined).map(squash);
    if (!names.includes(squash(c.name))) return undefined;
    const v = vendorAgrees(p.vendor, [c.vendor, c.supplier, manufacturer]);
    if (v === false) return undefined;
    if (v === 'unknown') reasons.push(`the advisory names vendor "${p.vendor ?? ''}", the component does not say`);
    criteria = [p.vendor !== undefined ? `vendor ${p.vendor}` : undefined, `product ${p.product ?? p.name}`].filter((x) => x !== undefined).join(', ');
  }
  let range: string;
  let verdict: VersionVerdict;
  if (p.version !== undefined) {
    const want = p.version;
    range = `= ${want}`;
    verdict = versionVerdict(c.version, (v) => {
      const x = compareVersions(v, want);
      return x === 'incomparable' ? 'unknown' : x === 0;
    }, range);
  } else if (p.range !== undefined) {
    const set = p.range;
    range = set.text;
    verdict = versionVerdict(c.version, (v) => inVersionSet(v, set), `"${set.text}"`);
  } else if (p.rangeError !== undefined) {
    range = p.rangeText ?? '';
    verdict = { kind: 'possible', reason: p.rangeError };
  } else {
    range = 'all versions';
    verdict = { kind: 'yes' };
  }
  if (verdict.kind === 'no') return undefined;
  if (verdict.kind === 'possible') reasons.push(verdict.reason);
  return { rule, criteria: p.partOf !== undefined ? `${criteria} (in ${p.partOf})` : criteria, range, reasons };
}

function csafPass(c: SubjectComponent, manufacturer: string | undefined, db: VulnDb, col: Collector): void {
  const entries = new Set<CsafEntry>();
  for (const e of db.csafByKey.get(`name:${squash(c.name)}`) ?? []) entries.add(e);
  const purl = c.purl !== undefined ? parsePurl(c.purl) : undefined;
  if (purl?.ok) {
    for (const e of db.csafByKey.get(`purl:${purl.purl.type}/${purl.purl.namespace ?? ''}/${purl.purl.name}`) ?? []) entries.add(e);
  }
  for (const e of entries) {
    const m = matchCsafProduct(e.product, c, manufacturer);
    if (m === undefined) continue;
    for (const { vuln, status } of e.vulns) {
      const rs = status === 'under_investigation' ? [...m.reasons, `${e.advisory.id} lists the product as under investigation`] : m.reasons;
      col.add({
        componentId: c.id, vulnId: vuln.id, aliases: [], status: rs.length > 0 ? 'possible' : 'affected', reasons: rs,
        why: [{ rule: m.rule, source: `CSAF ${e.advisory.id}`, criteria: m.criteria, range: m.range }],
        title: vuln.title ?? e.advisory.title,
        remediations: vuln.remediations.filter((r) => r.productIds.length === 0 || r.productIds.includes(e.product.productId)),
        cvss: vuln.cvss !== undefined ? { version: vuln.cvss.version, baseScore: vuln.cvss.baseScore, vector: vuln.cvss.vector, source: `CSAF ${e.advisory.id}`, nomenclature: vuln.cvss.nomenclature } : undefined,
      });
    }
  }
}

/** All matches of an inventory's components (the manufacturer helps CSAF vendor checks). */
export function matchInventory(components: readonly SubjectComponent[], db: VulnDb, manufacturer?: string): VulnMatch[] {
  const col = new Collector();
  nvdPass(components, db, col);
  for (const c of components) {
    osvPass(c, db, col);
    csafPass(c, manufacturer, db, col);
  }
  return [...col.out.values()];
}

/** Whether a vulnerability id or one of its aliases is in KEV; the entry if so. */
export function kevOf(db: VulnDb, ids: readonly string[]) {
  for (const id of ids) {
    const k = db.kev.entries.get(id);
    if (k !== undefined) return k;
  }
  return undefined;
}

