// CSAF 2.0 advisories (CISA ICSMA, manufacturers' PSIRTs) and CSAF VEX documents: the product tree
// is flattened to products with vendor / product name / version or version range (vers or the free
// text advisories use), and each vulnerability keeps its product status, score and remediations.

import { parseCpe } from '../../cpe/cpe.ts';
import { parsePurl } from '../../purl/purl.ts';
import { cvss4BaseScore, cvss4Nomenclature } from '../../risk/cvss4.ts';
import { parseRangeText } from '../../versions/ranges.ts';
import type { VersionSet } from '../../versions/ranges.ts';
import { formatIssues, parseJsonText } from '../result.ts';
import type { FeedResult } from '../result.ts';
import { csafSchema } from './schema.ts';
import type { RawBranch, RawCsaf } from './schema.ts';

export interface CsafProduct {
  readonly productId: string;
  readonly name: string;
  readonly vendor?: string | undefined;
  readonly product?: string | undefined;
  readonly version?: string | undefined;
  /** product_version_range as written; `range` is its reading, or `rangeError` why it has none. */
  readonly rangeText?: string | undefined;
  readonly range?: VersionSet | undefined;
  readonly rangeError?: string | undefined;
  readonly cpe?: string | undefined;
  readonly purl?: string | undefined;
  readonly modelNumbers: readonly string[];
  /** For a relationship product: the product it is part of. */
  readonly partOf?: string | undefined;
}

export const REMEDIATION_CATEGORIES = ['vendor_fix', 'workaround', 'mitigation', 'fix_planned', 'no_fix_planned', 'none_available', 'optional_patch'] as const;

export interface CsafRemediation {
  readonly category: (typeof REMEDIATION_CATEGORIES)[number];
  readonly details: string;
  readonly url?: string | undefined;
  readonly productIds: readonly string[];
}

export type CsafStatus = 'affected' | 'fixed' | 'not_affected' | 'under_investigation' | 'recommended';

export interface CsafVulnerability {
  /** The CVE id, or the advisory id with the vulnerability's position when it has none. */
  readonly id: string;
  readonly title: string | undefined;
  readonly status: ReadonlyMap<string, CsafStatus>;
  readonly remediations: readonly CsafRemediation[];
  /** v3 when given, else v4.0 (its score computed from the vector when the document gives none), else v2. */
  readonly cvss: { readonly version: '3.x' | '4.0' | '2.0'; readonly baseScore: number; readonly vector: string; readonly nomenclature?: string | undefined } | undefined;
  /** VEX justification flags by product id (component_not_present, vulnerable_code_not_present...). */
  readonly flags: ReadonlyMap<string, string>;
  /** Impact statements by product id (threats of category impact, as VEX requires for not_affected). */
  readonly impact: ReadonlyMap<string, string>;
}

export interface CsafAdvisory {
  readonly id: string;
  readonly modified: string;
  readonly category: string;
  readonly title: string;
  readonly publisher: string;
  readonly products: ReadonlyMap<string, CsafProduct>;
  readonly vulnerabilities: readonly CsafVulnerability[];
}

function walkBranches(list: readonly RawBranch[] | undefined, path: string, ctx: Record<string, string>, out: Map<string, CsafProduct>, errors: string[]): void {
  list?.forEach((b, i) => {
    const here = `${path}[${i}]`;
    const next = { ...ctx };
    if (b.category === 'vendor') next.vendor = b.name;
    else if (b.category === 'product_name' || b.category === 'product_family') next.product = b.name;
    else if (b.category === 'product_version') next.version = b.name;
    else if (b.category === 'product_version_range') next.range = b.name;
    if (b.product) addProduct(b.product, `${here}.product`, next, out, errors);
    walkBranches(b.branches, `${here}.branches`, next, out, errors);
  });
}

type Fpn = { name: string; product_id: string; product_identification_helper?: { cpe?: string | undefined; purl?: string | undefined; model_numbers?: string[] | undefined } | undefined };

function addProduct(p: Fpn, path: string, ctx: Record<string, string>, out: Map<string, CsafProduct>, errors: string[]): void {
  const h = p.product_identification_helper;
  if (h?.cpe !== undefined) {
    const c = parseCpe(h.cpe);
    if (!c.ok) errors.push(`${path}.product_identification_helper.cpe: ${c.error}`);
  }
  if (h?.purl !== undefined) {
    const c = parsePurl(h.purl);
    if (!c.ok) errors.push(`${path}.product_identification_helper.purl: ${c.error}`);
  }
  const rangeText = ctx.range;
  const parsed = rangeText !== undefined ? parseRangeText(rangeText) : undefined;
  out.set(p.product_id, {
    productId: p.product_id, name: p.name, vendor: ctx.vendor, product: ctx.product ?? (ctx.vendor === undefined ? p.name : undefined), version: ctx.version,
    rangeText, range: parsed?.ok ? parsed.set : undefined, rangeError: parsed && !parsed.ok ? parsed.error : undefined,
    cpe: h?.cpe, purl: h?.purl, modelNumbers: h?.model_numbers ?? [],
  });
}

function toAdvisory(d: RawCsaf): FeedResult<CsafAdvisory> {
  const products = new Map<string, CsafProduct>();
  const errors: string[] = [];
  walkBranches(d.product_tree?.branches, 'product_tree.branches', {}, products, errors);
  d.product_tree?.full_product_names?.forEach((p, i) => addProduct(p, `product_tree.full_product_names[${i}]`, {}, products, errors));
  for (const [i, r] of (d.product_tree?.relationships ?? []).entries()) {
    const part = products.get(r.product_reference);
    const whole = products.get(r.relates_to_product_reference);
    if (part === undefined) errors.push(`product_tree.relationships[${i}].product_reference: no product has the id "${r.product_reference}"`);
    else products.set(r.full_product_name.product_id, { ...part, productId: r.full_product_name.product_id, name: r.full_product_name.name, partOf: whole?.name ?? r.relates_to_product_reference });
  }
  if (errors[0] !== undefined) return { ok: false, error: errors[0] };
  const groups = new Map((d.product_tree?.product_groups ?? []).map((g) => [g.group_id, g.product_ids]));
  const expand = (pids: readonly string[] | undefined, gids: readonly string[] | undefined) => [...(pids ?? []), ...(gids ?? []).flatMap((g) => groups.get(g) ?? [])];
  const vulnerabilities: CsafVulnerability[] = [];
  for (const [vi, v] of (d.vulnerabilities ?? []).entries()) {
    const status = new Map<string, CsafStatus>();
    const ps = v.product_status ?? {};
    const mark = (list: readonly string[] | undefined, s: CsafStatus, field: string): string | undefined => {
      for (const [k, id] of (list ?? []).entries()) {
        if (!products.has(id)) return `vulnerabilities[${vi}].product_status.${field}[${k}]: no product has the id "${id}"`;
        status.set(id, s);
      }
      return undefined;
    };
    const err = mark(ps.recommended, 'recommended', 'recommended') ?? mark(ps.under_investigation, 'under_investigation', 'under_investigation')
      ?? mark(ps.known_not_affected, 'not_affected', 'known_not_affected') ?? mark(ps.fixed, 'fixed', 'fixed') ?? mark(ps.first_fixed, 'fixed', 'first_fixed')
      ?? mark(ps.known_affected, 'affected', 'known_affected') ?? mark(ps.first_affected, 'affected', 'first_affected') ?? mark(ps.last_affected, 'affected', 'last_affected');
    if (err !== undefined) return { ok: false, error: err };
    const s3 = v.scores?.find((s) => s.cvss_v3 !== undefined)?.cvss_v3;
    const s2 = v.scores?.find((s) => s.cvss_v2 !== undefined)?.cvss_v2;
    const s4 = v.scores?.find((s) => s.cvss_v4 !== undefined)?.cvss_v4;
    // The document's own baseScore is CVSS-B; one computed here is over the whole vector, and says which.
    const score4 = s4 !== undefined ? s4.baseScore ?? cvss4BaseScore(s4.vectorString) : undefined;
    const computed4 = s4 !== undefined && s4.baseScore === undefined;
    const flags = new Map<string, string>();
    for (const f of v.flags ?? []) for (const id of expand(f.product_ids, f.group_ids)) flags.set(id, f.label);
    const impact = new Map<string, string>();
    for (const t of v.threats ?? []) if (t.category === 'impact') for (const id of t.product_ids ?? []) impact.set(id, t.details);
    vulnerabilities.push({
      id: v.cve ?? `${d.document.tracking.id}#${vi}`,
      title: v.title,
      status,
      remediations: (v.remediations ?? []).map((r) => ({ category: r.category, details: r.details, url: r.url, productIds: expand(r.product_ids, r.group_ids) })),
      // v3 before v4, as for OSV: an advisory that gains a v4 score keeps the score its findings had.
      cvss: s3 ? { version: '3.x', baseScore: s3.baseScore, vector: s3.vectorString }
        : s4 && score4 !== undefined ? { version: '4.0', baseScore: score4, vector: s4.vectorString, ...(computed4 ? { nomenclature: cvss4Nomenclature(s4.vectorString) } : {}) }
        : s2 ? { version: '2.0', baseScore: s2.baseScore, vector: s2.vectorString } : undefined,
      flags, impact,
    });
  }
  const doc = d.document;
  return { ok: true, value: { id: doc.tracking.id, modified: doc.tracking.current_release_date, category: doc.category, title: doc.title, publisher: doc.publisher.name, products, vulnerabilities } };
}

export function parseCsaf(json: unknown): FeedResult<CsafAdvisory> {
  const r = csafSchema.safeParse(json);
  if (!r.success) return { ok: false, error: formatIssues(r.error, json) };
  return toAdvisory(r.data);
}

export function parseCsafText(text: string): FeedResult<CsafAdvisory> {
  const j = parseJsonText(text, 'the CSAF document');
  return j.ok ? parseCsaf(j.value) : j;
}
