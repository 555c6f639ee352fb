// What the security part keeps (module 'security' of the store): vulnerability records as their
// feeds wrote them, the KEV catalog, device and model inventories, and findings with their triage.
// Dialect SQL lives in src/store/{sqlite,postgres}/security.ts; both pass contract-security.ts.

import type { KevEntry } from './feeds/kev/kev.ts';
import type { DeviceInventory, ModelInventory } from './inventory/model.ts';
import type { CsafRemediation } from './feeds/csaf/csaf.ts';
import type { MatchWhy } from './match/all.ts';
import type { CvssInput, RiskScore } from './risk/risk.ts';
import type { Runbook } from './risk/runbook.ts';

export const VULN_SOURCES = ['nvd', 'osv', 'csaf'] as const;
export type VulnSource = (typeof VULN_SOURCES)[number];

export interface StoredVuln {
  readonly source: VulnSource;
  readonly id: string;
  /** The feed's last-modified date-time (ISO): a re-import replaces a record only when it is newer. */
  readonly modified: string;
  /** The record as the feed wrote it (NVD cve object, OSV record, CSAF document). */
  readonly doc: unknown;
}

export interface UpsertCounts {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

/** CycloneDX VEX analysis (impactAnalysisState, impactAnalysisJustification, response). */
export const ANALYSIS_STATES = ['in_triage', 'exploitable', 'false_positive', 'not_affected', 'resolved', 'resolved_with_pedigree'] as const;
export type AnalysisState = (typeof ANALYSIS_STATES)[number];
export const JUSTIFICATIONS = [
  'code_not_present', 'code_not_reachable', 'requires_configuration', 'requires_dependency', 'requires_environment',
  'protected_by_compiler', 'protected_at_runtime', 'protected_at_perimeter', 'protected_by_mitigating_control',
] as const;
export type Justification = (typeof JUSTIFICATIONS)[number];
export const RESPONSES = ['can_not_fix', 'will_not_fix', 'update', 'rollback', 'workaround_available'] as const;
export type VexResponse = (typeof RESPONSES)[number];

export interface Analysis {
  readonly state: AnalysisState;
  readonly justification?: Justification | undefined;
  readonly responses: readonly VexResponse[];
  readonly detail?: string | undefined;
  /** Who said so: a user's name, or "vex:<document>" for an imported statement. */
  readonly by: string;
  readonly at: number;
}

export interface StoredFinding {
  /** Stable: subject + component + vulnerability. */
  readonly id: string;
  /** The device id, or "model:<name>" for a model without devices. */
  readonly subject: string;
  readonly deviceId?: string | undefined;
  readonly model?: string | undefined;
  readonly componentId: string;
  readonly componentName: string;
  readonly componentVersion?: string | undefined;
  readonly componentPurl?: string | undefined;
  readonly vulnId: string;
  readonly aliases: readonly string[];
  readonly title?: string | undefined;
  readonly status: 'affected' | 'possible';
  readonly reasons: readonly string[];
  readonly why: readonly MatchWhy[];
  readonly kev?: { readonly dateAdded: string; readonly dueDate: string; readonly ransomware: boolean } | undefined;
  readonly cvss?: CvssInput | undefined;
  readonly remediations: readonly CsafRemediation[];
  readonly risk: RiskScore;
  readonly runbook: Runbook;
  readonly firstSeen: number;
  /** The last scan that changed the finding (scans store only findings that changed). */
  readonly lastSeen: number;
  /** Set when the match went away (component updated) or the analysis says resolved. */
  readonly resolvedAt?: number | undefined;
  readonly open: boolean;
  readonly analysis?: Analysis | undefined;
}

export interface FindingQuery {
  readonly subject?: string;
  readonly open?: boolean;
}

export interface SecurityStore {
  /**
   * Stores feed records and KEV entries in ONE transaction: a record is inserted when new, replaced
   * when its `modified` is newer, otherwise left alone. `progress` is called with records written so far.
   */
  upsertFeeds(vulns: readonly StoredVuln[], kev: readonly KevEntry[], progress?: (written: number) => void): Promise<{ readonly vulns: UpsertCounts; readonly kev: UpsertCounts }>;
  vulns(source?: VulnSource): Promise<StoredVuln[]>;
  /**
   * Changes whenever an import changed feed records or KEV entries (from any process sharing the
   * store), so a long-running service knows when to rebuild its index. undefined before any import.
   */
  feedsVersion(): Promise<string | undefined>;
  kev(): Promise<KevEntry[]>;
  putDevice(inv: DeviceInventory): Promise<void>;
  device(deviceId: string): Promise<DeviceInventory | undefined>;
  devices(): Promise<DeviceInventory[]>;
  deleteDevice(deviceId: string): Promise<boolean>;
  putModel(m: ModelInventory): Promise<void>;
  model(name: string): Promise<ModelInventory | undefined>;
  models(): Promise<ModelInventory[]>;
  /** Inserts or replaces findings by id, in one transaction. */
  saveFindings(list: readonly StoredFinding[]): Promise<void>;
  findings(q?: FindingQuery): Promise<StoredFinding[]>;
  finding(id: string): Promise<StoredFinding | undefined>;
}

export const SECURITY_MODULE = 'security';

/** Newest record per source+id (a file may carry one record twice). */
export function dedupeVulns(list: readonly StoredVuln[]): StoredVuln[] {
  const m = new Map<string, StoredVuln>();
  for (const v of list) {
    const k = `${v.source}\u0000${v.id}`;
    const prev = m.get(k);
    if (prev === undefined || prev.modified < v.modified) m.set(k, v);
  }
  return [...m.values()];
}
