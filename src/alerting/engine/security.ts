// Security findings through alert rules: a rule with a security trigger tells of a finding on a
// device in its scope when the finding is severe enough (and known exploited, if the rule asks),
// once per finding: the alert id comes from the finding, so a repeated report is not news.

import type { TemplateVars } from '../notification.ts';
import type { SecurityFindingNotice } from '../service.ts';
import type { Severity } from './alert-store.ts';
import type { Episodes } from './episodes.ts';
import type { RuleIndex } from './rules.ts';

const ORDER: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

export interface FindingContext {
  readonly index: RuleIndex;
  readonly episodes: Episodes;
  readonly now: number;
  readonly link: (nodeId: string) => Pick<TemplateVars, 'consoleUrl'>;
}

/** Opens the finding's alerts; returns how many rules were looked at. */
export async function decideFinding(f: SecurityFindingNotice, c: FindingContext): Promise<number> {
  const topo = c.index.topology;
  const known = topo.node(f.deviceId) !== undefined;
  // A device no longer in the tree still reaches the rules that cover the whole tree.
  const rules = known ? c.index.rulesFor(f.deviceId) : c.index.config.rules.filter((r) => r.scope.length === 0);
  let looked = 0;
  for (const rule of rules) {
    const t = rule.trigger.security;
    if (!t) continue;
    looked++;
    if (ORDER[f.severity] < ORDER[t.minSeverity] || (t.kevOnly && !f.kev) || !c.index.activeAt(rule, f.deviceId, c.now)) continue;
    await c.episodes.open({
      rule,
      nodeId: f.deviceId,
      sensorIds: [],
      trigger: 'security',
      discriminator: f.findingId,
      openedAt: c.now,
      severity: rule.severity ?? f.severity,
      kind: 'security',
      vars: { title: f.title, ...topo.vars(f.deviceId), runbook: f.runbook, ...c.link(f.deviceId), message: f.kev ? 'Known exploited vulnerability (CISA KEV)' : f.title },
      affectedDependents: 0,
      timezone: known ? topo.timezoneOf(f.deviceId) : 'UTC',
    });
  }
  return looked;
}
