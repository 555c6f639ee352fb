// What an operator should do now about a finding: the steps depend on what kind of finding it is
// (exploited, fix available, no fix, only possible, not affected) and quote the manufacturer's CSAF
// remediations when the advisory gives them.

import type { CsafRemediation } from '../feeds/csaf/csaf.ts';

export type FindingType = 'kev' | 'vendor-fix' | 'no-fix' | 'possible' | 'not-affected' | 'resolved' | 'standard';

export interface Runbook {
  readonly type: FindingType;
  readonly steps: readonly string[];
}

export interface RunbookInput {
  readonly status: 'affected' | 'possible';
  readonly analysisState?: string | undefined;
  readonly kev?: { readonly dueDate: string; readonly requiredAction: string } | undefined;
  readonly remediations: readonly CsafRemediation[];
  readonly reachable?: boolean | undefined;
  readonly endOfSupport: boolean;
}

function quoteRemediations(rs: readonly CsafRemediation[]): string[] {
  return rs.map((r) => `${r.category.replace(/_/g, ' ')} (manufacturer): ${r.details}${r.url ? ` — ${r.url}` : ''}`);
}

export function runbookFor(i: RunbookInput): Runbook {
  const vendor = quoteRemediations(i.remediations);
  const hasFix = i.remediations.some((r) => r.category === 'vendor_fix' || r.category === 'optional_patch');
  const noFix = i.remediations.some((r) => r.category === 'no_fix_planned' || r.category === 'none_available') || i.endOfSupport;
  if (i.analysisState === 'not_affected' || i.analysisState === 'false_positive') {
    return { type: 'not-affected', steps: ['No action: the finding is analysed as not affecting this device. Re-check when the component or the advisory changes.'] };
  }
  if (i.analysisState === 'resolved') return { type: 'resolved', steps: ['Resolved. Confirm the new version in the inventory (re-import the SBOM) so the finding closes.'] };
  const isolate = i.reachable === false ? 'Keep the device off routed networks; confirm it stays unreachable.' : 'Isolate now: move the device to a restricted VLAN or firewall its services to the clinical peers that need them.';
  if (i.kev !== undefined) {
    return {
      type: 'kev',
      steps: [
        isolate,
        `Exploited in the wild (CISA KEV): act before ${i.kev.dueDate}. CISA's required action: ${i.kev.requiredAction}`,
        ...(vendor.length > 0 ? vendor : ['Contact the manufacturer for a validated fix; do not patch a medical device without their approval.']),
        'Watch the device\'s traffic and logs for signs of exploitation until it is fixed.',
      ],
    };
  }
  if (i.status === 'possible') {
    return { type: 'possible', steps: ['Confirm whether the device is affected: check the exact version on the device and ask the manufacturer (MDS2 / their security statement).', 'Record the answer as the finding\'s analysis (affected, or not affected with a justification).', ...vendor] };
  }
  if (hasFix) {
    return { type: 'vendor-fix', steps: ['Apply the vendor fix in a maintenance window, as the manufacturer validated it.', ...vendor, 'Until then: compensating controls (network segmentation, disable the affected service if clinically possible).'] };
  }
  if (noFix) {
    return {
      type: 'no-fix',
      steps: [isolate, 'Compensating control: restrict the device to the peers it needs, disable unused services, monitor its traffic.', ...vendor, 'Contact the manufacturer about support and a replacement plan; record the decision.'],
    };
  }
  return { type: 'standard', steps: ['Contact the manufacturer: ask whether the device is affected and when a validated fix is available.', 'Meanwhile: compensating controls (segmentation, service hardening).', ...vendor] };
}
