// VEX in and out. In: a manufacturer's CycloneDX VEX (vulnerabilities[].analysis + affects refs)
// or CSAF VEX (product_status + flags) applied to the matching findings. Out: our analyses as a
// CycloneDX 1.6 VEX document whose refs point at the components it lists.

import { z } from 'zod';
import { parseCsaf } from '../feeds/csaf/csaf.ts';
import type { CsafStatus } from '../feeds/csaf/csaf.ts';
import { describeValue, formatIssues, parseJsonText } from '../feeds/result.ts';
import type { FeedResult } from '../feeds/result.ts';
import { matchCsafProduct } from '../match/all.ts';
import type { Analysis, Justification, StoredFinding } from '../store.ts';
import { ANALYSIS_STATES, JUSTIFICATIONS, RESPONSES } from '../store.ts';

export type Statement = Omit<Analysis, 'by' | 'at'>;

export interface VexScope {
  /** Only findings of this device / of devices of this model (a manufacturer speaks for its products). */
  readonly deviceId?: string | undefined;
  readonly model?: string | undefined;
  readonly manufacturer?: string | undefined;
}

const cdxVex = z.object({
  bomFormat: z.literal('CycloneDX', { error: (i) => `expected "CycloneDX", got ${describeValue(i.input)}` }),
  specVersion: z.enum(['1.4', '1.5', '1.6']),
  serialNumber: z.string().optional(),
  vulnerabilities: z.array(z.object({
    id: z.string().min(1),
    analysis: z.object({
      state: z.enum(ANALYSIS_STATES),
      justification: z.enum(JUSTIFICATIONS).optional(),
      response: z.array(z.enum(RESPONSES)).optional(),
      detail: z.string().optional(),
    }).optional(),
    affects: z.array(z.object({ ref: z.string().min(1) })).min(1),
  })),
});

const OUR_REF = /^urn:wardwatch:([^:]+):(.+)$/;

export function refOf(f: Pick<StoredFinding, 'subject' | 'componentId'>): string {
  return `urn:wardwatch:${encodeURIComponent(f.subject)}:${encodeURIComponent(f.componentId)}`;
}

/** Whether a CycloneDX affects ref names this finding's component. */
function refMatches(ref: string, f: StoredFinding): boolean {
  const ours = OUR_REF.exec(ref);
  if (ours) return decodeURIComponent(ours[1]!) === f.subject && decodeURIComponent(ours[2]!) === f.componentId;
  const bomRef = ref.includes('#') && ref.startsWith('urn:cdx:') ? ref.slice(ref.indexOf('#') + 1) : ref;
  if (bomRef === f.componentId) return true;
  if (f.componentPurl === undefined) return false;
  return f.componentPurl === bomRef || f.componentPurl.split('?')[0] === bomRef.split('?')[0];
}

/** A finding whose match went away (component updated) is history: statements no longer apply to it. */
function stale(f: StoredFinding): boolean {
  return f.resolvedAt !== undefined && f.analysis?.state !== 'resolved' && f.analysis?.state !== 'resolved_with_pedigree';
}

function inScope(f: StoredFinding, s: VexScope): boolean {
  if (stale(f)) return false;
  if (s.deviceId !== undefined && f.deviceId !== s.deviceId) return false;
  if (s.model !== undefined && f.model !== s.model) return false;
  return true;
}

const idMatches = (id: string, f: StoredFinding): boolean => f.vulnId === id || f.aliases.includes(id);

export interface VexPlan {
  readonly format: 'cyclonedx' | 'csaf';
  readonly name: string;
  readonly apply: ReadonlyArray<{ readonly finding: StoredFinding; readonly analysis: Statement }>;
  /** Statements that matched none of our findings (said so, not an error). */
  readonly unmatched: readonly string[];
}

function planCycloneDx(json: unknown, findings: readonly StoredFinding[], scope: VexScope): FeedResult<VexPlan> {
  const r = cdxVex.safeParse(json);
  if (!r.success) return { ok: false, error: formatIssues(r.error, json) };
  const apply: Array<{ finding: StoredFinding; analysis: Statement }> = [];
  const unmatched: string[] = [];
  for (const v of r.data.vulnerabilities) {
    // A vulnerability listed without an analysis states nothing.
    if (v.analysis === undefined) continue;
    const a: Statement = { state: v.analysis.state, justification: v.analysis.justification, responses: v.analysis.response ?? [], detail: v.analysis.detail };
    for (const { ref } of v.affects) {
      const hits = findings.filter((f) => inScope(f, scope) && idMatches(v.id, f) && refMatches(ref, f));
      if (hits.length === 0) unmatched.push(`${v.id} @ ${ref}`);
      for (const f of hits) apply.push({ finding: f, analysis: a });
    }
  }
  return { ok: true, value: { format: 'cyclonedx', name: r.data.serialNumber ?? 'CycloneDX VEX', apply, unmatched } };
}

/** CSAF VEX flags → CycloneDX justifications (CSAF 2.0 §3.2.3.5, CycloneDX impactAnalysisJustification). */
const FLAG_JUSTIFICATION: Readonly<Record<string, Justification>> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'protected_by_mitigating_control',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};

const STATUS_STATE: Readonly<Record<CsafStatus, Analysis['state'] | undefined>> = {
  not_affected: 'not_affected', fixed: 'resolved', affected: 'exploitable', under_investigation: 'in_triage', recommended: undefined,
};

function planCsaf(json: unknown, findings: readonly StoredFinding[], scope: VexScope): FeedResult<VexPlan> {
  const r = parseCsaf(json);
  if (!r.ok) return r;
  const adv = r.value;
  const apply: Array<{ finding: StoredFinding; analysis: Statement }> = [];
  const unmatched: string[] = [];
  for (const v of adv.vulnerabilities) {
    for (const [pid, status] of v.status) {
      const state = STATUS_STATE[status];
      const product = adv.products.get(pid);
      if (state === undefined || product === undefined) continue;
      const hits = findings.filter((f) => {
        if (!inScope(f, scope) || !idMatches(v.id, f)) return false;
        const m = matchCsafProduct(product, { id: f.componentId, name: f.componentName, version: f.componentVersion, purl: f.componentPurl }, scope.manufacturer ?? product.vendor);
        return m !== undefined && m.reasons.length === 0;
      });
      if (hits.length === 0) unmatched.push(`${v.id} @ ${product.name}`);
      const flag = v.flags.get(pid);
      const remediation = v.remediations.find((x) => x.productIds.includes(pid));
      const a: Statement = {
        state,
        justification: state === 'not_affected' && flag !== undefined ? FLAG_JUSTIFICATION[flag] : undefined,
        responses: remediation?.category === 'vendor_fix' ? ['update'] : remediation?.category === 'workaround' || remediation?.category === 'mitigation' ? ['workaround_available'] : remediation?.category === 'no_fix_planned' ? ['will_not_fix'] : [],
        detail: v.impact.get(pid) ?? remediation?.details ?? (flag !== undefined ? `${adv.publisher}: ${flag}` : undefined),
      };
      for (const f of hits) apply.push({ finding: f, analysis: a });
    }
  }
  return { ok: true, value: { format: 'csaf', name: adv.id, apply, unmatched } };
}

/** Reads a VEX document (CycloneDX or CSAF) and works out which findings it speaks for. */
export function planVex(text: string, fileName: string, findings: readonly StoredFinding[], scope: VexScope = {}): FeedResult<VexPlan> {
  const j = parseJsonText(text, fileName);
  if (!j.ok) return j;
  const doc = j.value;
  let r: FeedResult<VexPlan>;
  if (doc !== null && typeof doc === 'object' && 'bomFormat' in doc) r = planCycloneDx(doc, findings, scope);
  else if (doc !== null && typeof doc === 'object' && 'document' in doc) r = planCsaf(doc, findings, scope);
  else r = { ok: false, error: '(top level): not a VEX document: expected CycloneDX (bomFormat) or CSAF (document)' };
  return r.ok ? r : { ok: false, error: `${fileName}: ${r.error}` };
}

const METHOD: Readonly<Record<string, string>> = { '4.0': 'CVSSv4', '3.1': 'CVSSv31', '3.0': 'CVSSv3', '3.x': 'CVSSv3', '2.0': 'CVSSv2' };

/** Our findings (with their analyses) as a CycloneDX 1.6 VEX document. */
export function exportVex(findings: readonly StoredFinding[], opts: { readonly now: number; readonly serial: string }): unknown {
  const components = new Map<string, { type: string; 'bom-ref': string; name: string; version?: string; purl?: string }>();
  for (const f of findings) {
    const ref = refOf(f);
    if (!components.has(ref)) components.set(ref, { type: 'library', 'bom-ref': ref, name: f.componentName, ...(f.componentVersion ? { version: f.componentVersion } : {}), ...(f.componentPurl ? { purl: f.componentPurl } : {}) });
  }
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: opts.serial,
    version: 1,
    metadata: { timestamp: new Date(opts.now).toISOString(), tools: { components: [{ type: 'application', name: 'Wardwatch' }] } },
    components: [...components.values()],
    vulnerabilities: findings.map((f) => ({
      'bom-ref': `urn:wardwatch:finding:${f.id}`,
      id: f.vulnId,
      ...(f.why[0] ? { source: { name: f.why[0].source.split(' ')[0] } } : {}),
      ...(f.cvss ? { ratings: [{ score: f.cvss.baseScore, method: METHOD[f.cvss.version] ?? 'other', ...(f.cvss.vector ? { vector: f.cvss.vector } : {}) }] } : {}),
      ...(f.title ? { description: f.title } : {}),
      ...(f.analysis
        ? { analysis: { state: f.analysis.state, ...(f.analysis.justification ? { justification: f.analysis.justification } : {}), ...(f.analysis.responses.length > 0 ? { response: f.analysis.responses } : {}), ...(f.analysis.detail ? { detail: f.analysis.detail } : {}), lastUpdated: new Date(f.analysis.at).toISOString() } }
        : {}),
      affects: [{ ref: refOf(f) }],
    })),
  };
}
