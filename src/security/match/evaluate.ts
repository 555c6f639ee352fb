// Evaluates one NVD configuration against one component: which vulnerable cpeMatch the
// component is, with which version range, and what else the configuration requires (platform
// nodes of an AND, negated nodes). Uncertain outcomes become 'possible' with reasons, never dropped.

import { valueCovers } from '../cpe/cpe.ts';
import type { CpeValue } from '../cpe/cpe.ts';
import type { NvdConfiguration, NvdCpeMatch, NvdNode } from '../feeds/nvd/parse.ts';
import { compareVersions, inRange } from '../versions/compare.ts';
import type { ComponentCpe } from './component.ts';

export type Outcome =
  | { readonly kind: 'no' }
  | { readonly kind: 'yes' }
  | { readonly kind: 'possible'; readonly reasons: readonly string[] };

const NO = { kind: 'no' } as const;
const YES = { kind: 'yes' } as const;
const NONE: readonly string[] = Object.freeze([]);

function show(v: CpeValue): string {
  return v.kind === 'any' ? '*' : v.kind === 'na' ? '-' : v.text;
}

function describeRange(m: NvdCpeMatch): string {
  const r = m.range;
  const parts = [
    r.startIncluding !== undefined ? `>= ${r.startIncluding}` : undefined,
    r.startExcluding !== undefined ? `> ${r.startExcluding}` : undefined,
    r.endIncluding !== undefined ? `<= ${r.endIncluding}` : undefined,
    r.endExcluding !== undefined ? `< ${r.endExcluding}` : undefined,
  ].filter((p) => p !== undefined);
  return parts.join(', ');
}

/** Whether the component's version is the criteria's version (exact, wildcard, or ANY plus range). */
function versionOutcome(m: NvdCpeMatch, version: string): Outcome {
  const v = m.cpe.version;
  const reasons: string[] = [];
  if (v.kind === 'any' && m.range.startIncluding === undefined && m.range.startExcluding === undefined && m.range.endIncluding === undefined && m.range.endExcluding === undefined) return YES;
  if (v.kind === 'na') return version === '-' ? YES : NO;
  if (v.kind === 'value') {
    if (v.wildcard) {
      if (!v.wildcard.test(version.toLowerCase())) return NO;
    } else {
      const c = compareVersions(version, v.text);
      if (c === 'incomparable') reasons.push(`version "${version}" cannot be compared with "${v.text}"`);
      else if (c !== 0) return NO;
    }
  }
  const r = inRange(version, m.range);
  if (r === false) return NO;
  if (r === 'unknown') reasons.push(`version "${version}" cannot be compared with the range ${describeRange(m)}`);
  return reasons.length > 0 ? { kind: 'possible', reasons } : YES;
}

/** One cpeMatch against the component's CPE. */
export function evaluateCpeMatch(m: NvdCpeMatch, target: ComponentCpe, version: string): Outcome {
  let reasons: string[] | undefined;
  // ANY in the criteria covers everything: only its constrained attributes can say no.
  for (const a of m.cpe.constrained) {
    if (a === 'version') continue;
    const p = m.cpe[a];
    const t = target.cpe[a];
    if (valueCovers(p, t)) continue;
    // A derived CPE leaves unstated attributes ANY: that is "unknown", not "different".
    if (target.derived && t.kind === 'any') {
      if (a === 'part') continue;
      (reasons ??= []).push(`the criteria needs ${a} "${show(p)}", the component does not say`);
      continue;
    }
    return NO;
  }
  const vo = versionOutcome(m, version);
  if (vo.kind === 'no') return NO;
  if (vo.kind === 'possible') (reasons ??= []).push(...vo.reasons);
  return reasons !== undefined ? { kind: 'possible', reasons } : YES;
}

/** A node as a condition on the component (negate applied): used for the non-vulnerable parts of an AND. */
function nodeOutcome(n: NvdNode, target: ComponentCpe, version: string): Outcome {
  const outs = n.cpeMatch.map((m) => evaluateCpeMatch(m, target, version));
  let o: Outcome;
  if (n.operator === 'OR') o = outs.find((x) => x.kind === 'yes') ?? outs.find((x) => x.kind === 'possible') ?? NO;
  else if (outs.length > 0 && outs.every((x) => x.kind === 'yes')) o = YES;
  else if (outs.length > 0 && outs.every((x) => x.kind !== 'no')) o = { kind: 'possible', reasons: outs.flatMap((x) => (x.kind === 'possible' ? x.reasons : [])) };
  else o = NO;
  if (!n.negate) return o;
  return o.kind === 'yes' ? NO : o.kind === 'no' ? YES : o;
}

export interface ConfigurationHit {
  readonly outcome: Exclude<Outcome, { kind: 'no' }>;
  readonly match: NvdCpeMatch;
  /** `configurations[i].nodes[j].cpeMatch[k]` of the vulnerable match. */
  readonly path: string;
  /** What else the configuration needs, as NVD states it ("requires platform X", "requires not X"). */
  readonly requires: readonly string[];
}

function describeNode(n: NvdNode): string {
  const list = n.cpeMatch.map((m) => (describeRange(m) === '' ? m.criteria : `${m.criteria} (${describeRange(m)})`));
  const joined = list.length === 1 ? (list[0] as string) : `${n.operator === 'AND' ? 'all of' : 'one of'} ${list.join(', ')}`;
  return n.negate ? `requires not ${joined}` : `requires platform ${joined}`;
}

/**
 * The best hit of the component in one configuration, or undefined. The component must be a
 * vulnerable cpeMatch of a non-negated node; for an AND configuration, every other node becomes
 * a stated requirement, except a negated node that the component itself matches, which rules it out.
 */
export function evaluateConfiguration(cfg: NvdConfiguration, ci: number, target: ComponentCpe, version: string): ConfigurationHit | undefined {
  let best: ConfigurationHit | undefined;
  // Plain loops, no closures: this runs once per candidate record and component.
  for (let ni = 0; ni < cfg.nodes.length; ni++) {
    const node = cfg.nodes[ni] as NvdNode;
    if (node.negate) continue;
    for (let mi = 0; mi < node.cpeMatch.length; mi++) {
      const m = node.cpeMatch[mi] as NvdCpeMatch;
      if (!m.vulnerable) continue;
      const o = evaluateCpeMatch(m, target, version);
      if (o.kind === 'no') continue;
      const hit = withRequirements(cfg, ci, ni, mi, m, o, target, version);
      if (hit === undefined) continue;
      if (best === undefined || (best.outcome.kind === 'possible' && hit.outcome.kind === 'yes')) best = hit;
      if (best.outcome.kind === 'yes') return best;
    }
  }
  return best;
}

function withRequirements(cfg: NvdConfiguration, ci: number, ni: number, mi: number, m: NvdCpeMatch, o: Exclude<Outcome, { kind: 'no' }>, target: ComponentCpe, version: string): ConfigurationHit | undefined {
  const reasons = o.kind === 'possible' ? [...o.reasons] : [];
  if (cfg.operator !== 'AND') {
    // The common case (OR configurations) shares one empty list rather than allocating.
    return { outcome: reasons.length > 0 ? { kind: 'possible', reasons } : YES, match: m, path: `configurations[${ci}].nodes[${ni}].cpeMatch[${mi}]`, requires: NONE };
  }
  const requires: string[] = [];
  {
    for (let oi = 0; oi < cfg.nodes.length; oi++) {
      if (oi === ni) continue;
      const other = cfg.nodes[oi] as NvdNode;
      if (other.negate) {
        const self = nodeOutcome(other, target, version);
        if (self.kind === 'no') return undefined; // the component is what the negated node excludes
        if (self.kind === 'possible') reasons.push(`the component may be excluded by configurations[${ci}].nodes[${oi}]`);
      }
      requires.push(describeNode(other));
    }
  }
  const outcome: ConfigurationHit['outcome'] = reasons.length > 0 ? { kind: 'possible', reasons } : YES;
  return { outcome, match: m, path: `configurations[${ci}].nodes[${ni}].cpeMatch[${mi}]`, requires };
}
