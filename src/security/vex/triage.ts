// Triage of a finding: a CycloneDX VEX analysis (state, justification, responses, detail) set by a
// person or by a manufacturer's VEX statement, every change written to the audit trail.

import { z } from 'zod';
import type { AuditSink } from '../../api/access.ts';
import type { Clock } from '../../core/clock.ts';
import { formatIssues } from '../feeds/result.ts';
import { runbookFor } from '../risk/runbook.ts';
import type { Analysis, SecurityStore, StoredFinding } from '../store.ts';
import { ANALYSIS_STATES, JUSTIFICATIONS, RESPONSES } from '../store.ts';
import { SecurityInputError } from '../service/service.ts';

export const analysisInput = z.strictObject({
  state: z.enum(ANALYSIS_STATES),
  justification: z.enum(JUSTIFICATIONS).optional(),
  responses: z.array(z.enum(RESPONSES)).default([]),
  detail: z.string().max(4000).optional(),
}).refine((a) => a.justification === undefined || a.state === 'not_affected', { message: 'a justification is only given with state not_affected', path: ['justification'] });

export type AnalysisInput = z.input<typeof analysisInput>;

export interface Actor {
  readonly name: string;
  readonly id?: string | undefined;
  readonly ip?: string | undefined;
}

const CLOSED: ReadonlySet<string> = new Set(['resolved', 'resolved_with_pedigree', 'not_affected', 'false_positive']);

/** The finding with a new analysis: open/resolved and runbook follow the state. */
export function withAnalysis(f: StoredFinding, a: Analysis): StoredFinding {
  const resolved = a.state === 'resolved' || a.state === 'resolved_with_pedigree';
  const wasResolvedByAnalysis = f.analysis?.state === 'resolved' || f.analysis?.state === 'resolved_with_pedigree';
  const resolvedAt = resolved ? (f.resolvedAt ?? a.at) : wasResolvedByAnalysis ? undefined : f.resolvedAt;
  return {
    ...f,
    analysis: a,
    open: !CLOSED.has(a.state) && resolvedAt === undefined,
    resolvedAt,
    runbook: a.state === 'not_affected' || a.state === 'false_positive' || resolved
      ? runbookFor({ status: f.status, analysisState: a.state, remediations: f.remediations, endOfSupport: false })
      : f.runbook,
  };
}

export class Triage {
  constructor(
    private readonly store: SecurityStore,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly audit: AuditSink | undefined,
  ) {}

  /** Sets a finding's analysis; input is checked (errors name the field) and the change audited. */
  async set(findingId: string, input: unknown, actor: Actor): Promise<StoredFinding> {
    const r = analysisInput.safeParse(input);
    if (!r.success) throw new SecurityInputError(`analysis: ${formatIssues(r.error, input)}`);
    const f = await this.store.finding(findingId);
    if (f === undefined) throw new SecurityInputError(`finding ${findingId} does not exist`);
    const a: Analysis = { ...r.data, by: actor.name, at: this.clock.now() };
    const next = withAnalysis(f, a);
    await this.store.saveFindings([next]);
    await this.audit?.record({
      actor: actor.name, ...(actor.id !== undefined ? { actorId: actor.id } : {}), ...(actor.ip !== undefined ? { ip: actor.ip } : {}),
      action: 'security.finding.triage', target: `finding:${f.id}`, outcome: 'ok',
      before: f.analysis ?? null, after: a, detail: `${f.vulnId} in ${f.componentName} on ${f.subject}: ${a.state}${a.detail ? ` — ${a.detail}` : ''}`,
    });
    return next;
  }

  /** Applies statements from a VEX document to many findings at once, audited as one entry each. */
  async apply(list: ReadonlyArray<{ readonly finding: StoredFinding; readonly analysis: Omit<Analysis, 'by' | 'at'> }>, source: string, actor: Actor): Promise<StoredFinding[]> {
    const now = this.clock.now();
    const out = list.map(({ finding, analysis }) => withAnalysis(finding, { ...analysis, by: `vex:${source}`, at: now }));
    if (out.length > 0) await this.store.saveFindings(out);
    for (const [i, f] of out.entries()) {
      await this.audit?.record({
        actor: actor.name, ...(actor.id !== undefined ? { actorId: actor.id } : {}), action: 'security.finding.vex', target: `finding:${f.id}`, outcome: 'ok',
        before: list[i]?.finding.analysis ?? null, after: f.analysis, detail: `${source}: ${f.vulnId} in ${f.componentName} on ${f.subject}: ${f.analysis?.state ?? ''}`,
      });
    }
    return out;
  }
}
