// Matches an inventory against parsed NVD records: an index by vendor:product (and by product
// alone, for inventories without a vendor) picks the candidates, evaluate.ts decides, and the
// KEV catalog is joined by CVE id. Every finding says why (rule, criteria, range, node path).

import { plainText } from '../cpe/cpe.ts';
import type { KevCatalog } from '../feeds/kev/kev.ts';
import type { NvdConfiguration, NvdRecord } from '../feeds/nvd/parse.ts';
import type { VersionRange } from '../versions/compare.ts';
import { componentCpe } from './component.ts';
import type { MatchComponent } from './component.ts';
import { evaluateConfiguration } from './evaluate.ts';
import type { ConfigurationHit } from './evaluate.ts';

export interface Finding {
  readonly componentId: string;
  readonly cveId: string;
  /** 'possible' when something could not be decided; `reasons` says what. */
  readonly status: 'affected' | 'possible';
  readonly reasons: readonly string[];
  readonly why: {
    readonly rule: 'cpe';
    readonly criteria: string;
    readonly range: VersionRange;
    readonly nodePath: string;
    readonly requires: readonly string[];
  };
  readonly kev?: { readonly dateAdded: string; readonly dueDate: string; readonly ransomware: boolean } | undefined;
}

const NO_REASONS: readonly string[] = Object.freeze([]);

export interface NvdIndex {
  readonly byVendorProduct: ReadonlyMap<string, readonly NvdRecord[]>;
  readonly byProduct: ReadonlyMap<string, readonly NvdRecord[]>;
  /** Records with a vulnerable criteria whose vendor or product is ANY or a wildcard: checked for everyone. */
  readonly unindexed: readonly NvdRecord[];
  readonly size: number;
}

function add(map: Map<string, NvdRecord[]>, key: string, r: NvdRecord): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [r]);
  else if (list[list.length - 1] !== r) list.push(r);
}

/** Indexes records by the vendor:product of their vulnerable criteria. */
export function indexNvd(records: readonly NvdRecord[]): NvdIndex {
  const byVendorProduct = new Map<string, NvdRecord[]>();
  const byProduct = new Map<string, NvdRecord[]>();
  const unindexed: NvdRecord[] = [];
  for (const r of records) {
    let wild = false;
    for (const cfg of r.configurations) {
      for (const n of cfg.nodes) {
        for (const m of n.cpeMatch) {
          if (!m.vulnerable) continue;
          const v = plainText(m.cpe.vendor);
          const p = plainText(m.cpe.product);
          if (v === undefined || p === undefined) wild = true;
          else {
            add(byVendorProduct, `${v}:${p}`, r);
            add(byProduct, p, r);
          }
        }
      }
    }
    if (wild) unindexed.push(r);
  }
  return { byVendorProduct, byProduct, unindexed, size: records.length };
}

export interface MatchResult {
  readonly findings: readonly Finding[];
  /** Components that could not be matched at all (bad CPE, or neither CPE nor product). */
  readonly skipped: ReadonlyArray<{ readonly componentId: string; readonly reason: string }>;
}

function candidates(index: NvdIndex, vendor: string | undefined, product: string | undefined): readonly NvdRecord[] {
  if (product === undefined) return index.unindexed;
  const keyed = vendor !== undefined ? index.byVendorProduct.get(`${vendor}:${product}`) : index.byProduct.get(product);
  if (keyed === undefined) return index.unindexed;
  if (index.unindexed.length === 0) return keyed;
  return [...new Set([...keyed, ...index.unindexed])];
}

/** Matches components against the index; at most one finding per component and CVE (the most certain). */
export function matchComponents(components: readonly MatchComponent[], index: NvdIndex, kev?: KevCatalog): MatchResult {
  const findings: Finding[] = [];
  const skipped: Array<{ componentId: string; reason: string }> = [];
  for (const c of components) {
    const target = componentCpe(c);
    if (target === undefined) {
      skipped.push({ componentId: c.id, reason: `component ${c.id} has neither a CPE nor a product name` });
      continue;
    }
    if (typeof target === 'string') {
      skipped.push({ componentId: c.id, reason: target });
      continue;
    }
    for (const r of candidates(index, plainText(target.cpe.vendor), plainText(target.cpe.product))) {
      let best: ConfigurationHit | undefined;
      for (let ci = 0; ci < r.configurations.length && best?.outcome.kind !== 'yes'; ci++) {
        const hit = evaluateConfiguration(r.configurations[ci] as NvdConfiguration, ci, target, c.version);
        if (hit !== undefined && (best === undefined || hit.outcome.kind === 'yes')) best = hit;
      }
      if (best === undefined) continue;
      const k = kev?.entries.get(r.id);
      findings.push({
        componentId: c.id,
        cveId: r.id,
        status: best.outcome.kind === 'yes' ? 'affected' : 'possible',
        reasons: best.outcome.kind === 'possible' ? best.outcome.reasons : NO_REASONS,
        why: { rule: 'cpe', criteria: best.match.criteria, range: best.match.range, nodePath: best.path, requires: best.requires },
        ...(k !== undefined ? { kev: { dateAdded: k.dateAdded, dueDate: k.dueDate, ransomware: k.ransomware } } : {}),
      });
    }
  }
  return { findings, skipped };
}
